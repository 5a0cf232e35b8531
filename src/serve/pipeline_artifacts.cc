#include "serve/pipeline_artifacts.h"

#include <fmt/format.h>

#include <fstream>
#include <vector>

namespace playlake::serve {
namespace {

using nlohmann::json;

// The layer a manifest node belongs to, for colouring the lineage graph.
std::string LayerOf(const std::string& unique_id, const std::string& name) {
  if (unique_id.rfind("source.", 0) == 0) return "silver";
  if (unique_id.rfind("snapshot.", 0) == 0) return "snapshot";
  if (name.rfind("stg_", 0) == 0) return "staging";
  if (name.rfind("int_", 0) == 0) return "intermediate";
  if (name.rfind("fct_", 0) == 0 || name.rfind("dim_", 0) == 0) return "core";
  return "mart";
}

// Lineage nodes and edges (parent -> child) from a dbt-style manifest.json.
json Lineage(const json& manifest) {
  json nodes = json::array();
  json edges = json::array();
  if (!manifest.is_object()) return {{"nodes", nodes}, {"edges", edges}};
  for (const char* section : {"nodes", "sources"}) {
    if (!manifest.contains(section)) continue;
    for (const auto& [id, node] : manifest[section].items()) {
      const std::string type = node.value("resource_type", "");
      if (type == "test") continue;
      const std::string name = node.value("name", id);
      nodes.push_back({{"id", id}, {"name", name}, {"layer", LayerOf(id, name)}});
    }
  }
  if (manifest.contains("parent_map")) {
    for (const auto& [child, parents] : manifest["parent_map"].items()) {
      // Tests and exposures (the dashboard's own pages) are not drawn.
      if (child.rfind("test.", 0) == 0 || child.rfind("exposure.", 0) == 0) continue;
      for (const auto& parent : parents) {
        if (parent.get<std::string>().rfind("test.", 0) != 0) edges.push_back({parent, child});
      }
    }
  }
  return {{"nodes", nodes}, {"edges", edges}};
}

// The name of the model a test checks, from the manifest: the node a schema test is
// attached to, or a singular test's one parent; null for a test of several nodes.
json TestedModel(const json& manifest, const std::string& test_id) {
  if (!manifest.is_object() || !manifest.contains("nodes") || !manifest["nodes"].contains(test_id))
    return nullptr;
  const json& test = manifest["nodes"][test_id];
  std::string node = test.value("attached_node", "");
  const json parents = test.contains("depends_on")
                           ? test["depends_on"].value("nodes", json::array())
                           : json::array();
  if (node.empty() && parents.size() == 1) node = parents[0].get<std::string>();
  if (node.empty()) return nullptr;
  return node.substr(node.rfind('.') + 1);
}

// Data test results from a dbt-style run_results.json, with the model each checks.
json Tests(const json& run_results, const json& manifest) {
  json tests = json::array();
  if (!run_results.is_object() || !run_results.contains("results")) return tests;
  for (const auto& result : run_results["results"]) {
    const std::string id = result.value("unique_id", "");
    if (id.rfind("test.", 0) != 0) continue;
    tests.push_back({{"name", id.substr(5)},
                     {"model", TestedModel(manifest, id)},
                     {"status", result.value("status", "")},
                     {"failures", result.value("failures", json(nullptr))}});
  }
  return tests;
}

}  // namespace

Result<json> ReadJsonFile(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return json(nullptr);
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    return Fail(ErrorCode::kData, fmt::format("{}: {}", file.string(), e.what()));
  }
}

json Runs(const std::filesystem::path& file, std::size_t limit) {
  std::ifstream in(file);
  std::vector<json> runs;
  std::string line;
  while (std::getline(in, line)) {
    json run = json::parse(line, nullptr, false);
    if (!run.is_discarded()) runs.push_back(std::move(run));
  }
  json out = json::array();
  for (auto it = runs.rbegin(); it != runs.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

Result<json> PipelinePage(const std::filesystem::path& target, const json& schedule) {
  auto manifest = ReadJsonFile(target / "manifest.json");
  if (!manifest) return tl::unexpected(manifest.error());
  auto run_results = ReadJsonFile(target / "run_results.json");
  if (!run_results) return tl::unexpected(run_results.error());
  auto status = ReadJsonFile(target / "pipeline_status.json");
  if (!status) return tl::unexpected(status.error());
  auto section = [&](const char* name) {
    return status->is_object() ? status->value(name, json::array()) : json::array();
  };
  return json{{"runs", Runs(target / "runs.jsonl", 20)},
              {"tests", Tests(*run_results, *manifest)},
              {"freshness", section("freshness")},
              {"quarantine", section("quarantine")},
              {"drift", section("drift")},
              {"lineage", Lineage(*manifest)},
              {"schedule", schedule}};
}

}  // namespace playlake::serve
