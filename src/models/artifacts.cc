#include "models/artifacts.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "models/compiler.h"

namespace playlake::models {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json Columns(const std::vector<ColumnDoc>& columns) {
  json out = json::object();
  for (const ColumnDoc& c : columns)
    out[c.name] = {{"name", c.name}, {"description", c.description}};
  return out;
}

json NodeJson(const Project& project, const Node& node) {
  json config = json::object();
  for (const auto& [key, value] : node.config_text) config[key] = value;
  if (node.type == NodeType::kModel)
    config["materialized"] = MaterializationName(node.materialized);
  if (node.type == NodeType::kTest)
    config["severity"] = node.severity == Severity::kWarn ? "warn" : "error";
  json j = {
      {"unique_id", node.unique_id},
      {"resource_type", NodeTypeName(node.type)},
      {"name", node.name},
      {"package_name", project.name()},
      {"path", node.path},
      {"original_file_path", node.path},
      {"fqn", node.fqn},
      {"description", node.description},
      {"columns", Columns(node.columns)},
      {"tags", node.tags},
      {"config", config},
      {"depends_on", {{"nodes", node.depends_on}}},
      {"raw_code", node.raw_code},
  };
  if (node.type != NodeType::kTest) {
    j["schema"] = node.schema;
    j["alias"] = node.alias;
    j["relation_name"] = Compiler::RelationOf(node);
  }
  if (node.generic) {
    static const char* kNames[] = {"unique", "not_null", "accepted_values", "relationships"};
    json kwargs = {{"column_name", node.generic->column}};
    if (!node.generic->values.empty()) kwargs["values"] = node.generic->values;
    if (!node.generic->to.empty()) {
      kwargs["to"] = node.generic->to;
      kwargs["field"] = node.generic->field;
    }
    j["test_metadata"] = {{"name", kNames[static_cast<int>(node.generic->kind)]},
                          {"kwargs", kwargs}};
    j["attached_node"] = node.attached_node;
    j["column_name"] = node.generic->column;
  }
  return j;
}

json Edges(const std::map<std::string, std::set<std::string>>& edges) {
  json out = json::object();
  for (const auto& [id, others] : edges)
    out[id] = std::vector<std::string>(others.begin(), others.end());
  return out;
}

std::string Label(const Project& project, const std::string& id) {
  if (const Node* node = project.FindNode(id)) return node->name;
  if (auto it = project.sources().find(id); it != project.sources().end()) {
    return it->second.source_name + "." + it->second.name;
  }
  return id;
}

}  // namespace

std::string ManifestJson(const Project& project, const Graph& graph,
                         const std::string& generated_at) {
  json nodes = json::object();
  for (const auto& [id, node] : project.nodes()) nodes[id] = NodeJson(project, node);
  json sources = json::object();
  for (const auto& [id, s] : project.sources()) {
    sources[id] = {{"unique_id", id},
                   {"resource_type", "source"},
                   {"source_name", s.source_name},
                   {"name", s.name},
                   {"schema", s.schema},
                   {"identifier", s.identifier},
                   {"description", s.description},
                   {"columns", Columns(s.columns)},
                   {"path", fs::path(s.file).lexically_relative(project.root()).generic_string()}};
  }
  // Exposures as dbt writes them: their own section, and in parent_map and
  // child_map (a query's models are its exposure's, so only the exposure shows).
  json exposures = json::object();
  json parent_map = Edges(graph.parent_map());
  json child_map = Edges(graph.child_map());
  for (const auto& [id, e] : project.exposures()) {
    json meta = json::object();
    for (const auto& [key, value] : e.meta) meta[key] = value;
    exposures[id] = {{"unique_id", id},
                     {"resource_type", "exposure"},
                     {"name", e.name},
                     {"type", e.type},
                     {"label", e.label},
                     {"url", e.url},
                     {"maturity", e.maturity},
                     {"description", e.description},
                     {"owner", {{"name", e.owner_name}, {"email", e.owner_email}}},
                     {"meta", meta},
                     {"package_name", project.name()},
                     {"path", fs::path(e.file).lexically_relative(project.root()).generic_string()},
                     {"fqn", {project.name(), e.name}},
                     {"depends_on", {{"nodes", e.depends_on}}}};
    parent_map[id] = e.depends_on;
    for (const std::string& parent : e.depends_on) {
      json& children = child_map[parent];
      if (!children.is_array()) children = json::array();
      children.push_back(id);
    }
  }
  json manifest = {
      {"metadata",
       {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/manifest/v12.json"},
        {"generated_at", generated_at},
        {"generator", "playlake"},
        {"project_name", project.name()},
        {"adapter_type", "duckdb"}}},
      {"nodes", nodes},
      {"sources", sources},
      {"exposures", exposures},
      {"parent_map", parent_map},
      {"child_map", child_map},
  };
  return manifest.dump(2);
}

std::string RunResultsJson(const RunResults& results) {
  json list = json::array();
  for (const NodeResult& r : results.results) {
    json timing = json::array();
    if (!r.started_at.empty()) {
      timing.push_back(
          {{"name", "execute"}, {"started_at", r.started_at}, {"completed_at", r.completed_at}});
    }
    list.push_back({
        {"unique_id", r.unique_id},
        {"status", NodeStatusName(r.status)},
        {"message", r.message},
        {"execution_time", r.execution_time},
        {"thread_id",
         r.thread_id < 0 ? json(nullptr) : json(fmt::format("Thread-{}", r.thread_id))},
        {"timing", timing},
        {"adapter_response",
         r.rows_affected < 0 ? json::object() : json{{"rows_affected", r.rows_affected}}},
        {"failures", r.failures < 0 ? json(nullptr) : json(r.failures)},
        {"relation_name", r.relation.empty() ? json(nullptr) : json(r.relation)},
        {"compiled_code", r.compiled_code},
    });
  }
  json j = {
      {"metadata",
       {{"dbt_schema_version", "https://schemas.getdbt.com/dbt/run-results/v6.json"},
        {"generated_at", results.generated_at},
        {"invocation_id", results.invocation_id},
        {"generator", "playlake"}}},
      {"args", {{"which", results.command}}},
      {"elapsed_time", results.elapsed_time},
      {"results", list},
  };
  return j.dump(2);
}

std::string LineageJson(const Project& project, const Graph& graph) {
  json nodes = json::array();
  json edges = json::array();
  for (const std::string& id : graph.Order()) {
    json n = {{"id", id}, {"name", Label(project, id)}};
    if (const Node* node = project.FindNode(id)) {
      n["type"] = NodeTypeName(node->type);
      if (node->type == NodeType::kModel)
        n["materialized"] = MaterializationName(node->materialized);
      if (node->type != NodeType::kTest) n["relation"] = Compiler::RelationOf(*node);
    } else {
      n["type"] = "source";
    }
    nodes.push_back(n);
    for (const std::string& child : graph.Children(id))
      edges.push_back({{"from", id}, {"to", child}});
  }
  return json{{"nodes", nodes}, {"edges", edges}}.dump(2);
}

std::string LineageDot(const Project& project, const Graph& graph) {
  std::string out =
      "digraph lineage {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n";
  auto quote = [](const std::string& s) { return "\"" + s + "\""; };
  for (const std::string& id : graph.Order()) {
    const Node* node = project.FindNode(id);
    const char* shape = !node ? "cylinder" : node->type == NodeType::kTest ? "ellipse" : "box";
    out += fmt::format("  {} [label={}, shape={}];\n", quote(id), quote(Label(project, id)), shape);
  }
  for (const std::string& id : graph.Order()) {
    for (const std::string& child : graph.Children(id))
      out += fmt::format("  {} -> {};\n", quote(id), quote(child));
  }
  return out + "}\n";
}

Status WriteDocs(const fs::path& target_dir, const Project& project, const Graph& graph,
                 const std::string& generated_at) {
  if (auto s = WriteFileAtomically(target_dir / "manifest.json",
                                   ManifestJson(project, graph, generated_at));
      !s) {
    return s;
  }
  if (auto s = WriteFileAtomically(target_dir / "lineage.json", LineageJson(project, graph)); !s)
    return s;
  return WriteFileAtomically(target_dir / "lineage.dot", LineageDot(project, graph));
}

Status WriteRunResults(const fs::path& target_dir, const RunResults& results) {
  return WriteFileAtomically(target_dir / "run_results.json", RunResultsJson(results));
}

}  // namespace playlake::models
