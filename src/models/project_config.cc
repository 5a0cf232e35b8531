// Project::Load, second half: configs merged and interpreted per node, then
// every ref(), source() and test target resolved to a unique_id.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "models/loader.h"

namespace playlake::models {
namespace {

std::vector<std::string> ValueStrings(const Value& v) {
  std::vector<std::string> out;
  if (v.kind == Value::Kind::kList) {
    for (const Value& item : v.items) out.push_back(item.text);
  } else if (v.kind != Value::Kind::kNone) {
    out.push_back(v.text);
  }
  return out;
}

const std::set<std::string>& AllowedConfig(NodeType type) {
  static const std::set<std::string> kModel = {"materialized",
                                               "tags",
                                               "schema",
                                               "alias",
                                               "unique_key",
                                               "enabled",
                                               "meta",
                                               "docs",
                                               "incremental_strategy",
                                               "on_schema_change"};
  static const std::set<std::string> kSeed = {"tags", "schema", "alias", "enabled", "meta", "docs"};
  static const std::set<std::string> kTest = {"severity", "where", "tags", "enabled", "meta"};
  static const std::set<std::string> kSnapshot = {
      "target_schema", "schema",     "alias",      "unique_key",
      "strategy",      "updated_at", "check_cols", "invalidate_hard_deletes",
      "hard_deletes",  "tags",       "enabled",    "meta",
      "docs"};
  switch (type) {
    case NodeType::kModel:
      return kModel;
    case NodeType::kSeed:
      return kSeed;
    case NodeType::kTest:
      return kTest;
    case NodeType::kSnapshot:
      return kSnapshot;
  }
  return kModel;
}

}  // namespace

Result<ConfigMap> ProjectLoader::FolderConfig(NodeType type,
                                              const std::vector<std::string>& fqn) const {
  ConfigMap config;
  auto it = folder_configs_.find(type);
  if (it == folder_configs_.end()) return config;
  // YAML::Node's operator= writes through to the node it refers to; reset()
  // rebinds, which is what walking down the tree needs.
  YAML::Node level;
  level.reset(it->second);
  const std::set<std::string>& allowed = AllowedConfig(type);
  for (std::size_t depth = 0; level.IsMap(); ++depth) {
    YAML::Node next;
    for (const auto& kv : level) {
      std::string key = kv.first.Scalar();
      const bool plus = !key.empty() && key[0] == '+';
      if (plus) key.erase(0, 1);
      if (plus || (allowed.count(key) && !kv.second.IsMap())) {
        auto v = ValueFromYaml(kv.second, (project_.root_ / "dbt_project.yml").string());
        if (!v) return tl::unexpected(v.error());
        MergeConfig(config, key, *v);
      } else if (depth < fqn.size() && key == fqn[depth]) {
        next.reset(kv.second);
      }
    }
    if (!next) break;
    level.reset(next);
  }
  return config;
}

Status ProjectLoader::FinalizeConfigs() {
  for (auto& [id, node] : project_.nodes_) {
    auto folder = FolderConfig(node.type, node.fqn);
    if (!folder) return tl::unexpected(folder.error());
    ConfigMap config = std::move(*folder);
    for (const auto& [key, value] : yml_config_[id]) MergeConfig(config, key, value);
    for (const auto& [key, value] : file_config_[id]) MergeConfig(config, key, value);
    if (auto s = Interpret(node, config); !s) return s;
  }
  // Drop disabled nodes now, so that a ref to one is reported as missing.
  for (auto it = project_.nodes_.begin(); it != project_.nodes_.end();) {
    auto enabled = it->second.config_text.find("enabled");
    if (enabled != it->second.config_text.end() && enabled->second == "False") {
      if (it->second.type != NodeType::kTest) disabled_names_.insert(it->second.name);
      it = project_.nodes_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, node] : project_.nodes_) {
    if (node.type == NodeType::kTest) continue;
    if (auto [it, added] = project_.refable_.emplace(node.name, id); !added) {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}: '{}' is also defined in {}; names must be unique", node.file,
                              node.name, project_.nodes_.at(it->second).file));
    }
  }
  return {};
}

Status ProjectLoader::Interpret(Node& node, const ConfigMap& config) {
  const std::set<std::string>& allowed = AllowedConfig(node.type);
  auto bad = [&](const std::string& message) {
    return Fail(ErrorCode::kConfig, fmt::format("{}: {} '{}': {}", node.file,
                                                NodeTypeName(node.type), node.name, message));
  };
  std::string custom_schema, target_schema;
  SnapshotConfig snapshot;
  bool strategy_set = false;
  for (const auto& [key, value] : config) {
    if (!allowed.count(key)) {
      std::string supported;
      for (const std::string& k : allowed) supported += (supported.empty() ? "" : ", ") + k;
      return bad(fmt::format("config '{}' is not supported for a {} (supported: {})", key,
                             NodeTypeName(node.type), supported));
    }
    node.config_text[key] = value.Render();
    const std::string text = value.text;
    if (key == "materialized") {
      if (text == "view")
        node.materialized = Materialization::kView;
      else if (text == "table")
        node.materialized = Materialization::kTable;
      else if (text == "incremental")
        node.materialized = Materialization::kIncremental;
      else if (text == "ephemeral")
        node.materialized = Materialization::kEphemeral;
      else
        return bad(fmt::format(
            "materialized='{}' is not one of view, table, incremental, ephemeral", text));
    } else if (key == "tags") {
      node.tags = ValueStrings(value);
    } else if (key == "schema") {
      custom_schema = text;
    } else if (key == "target_schema") {
      target_schema = text;
    } else if (key == "alias") {
      node.alias = text;
    } else if (key == "unique_key") {
      node.unique_key = ValueStrings(value);
      snapshot.unique_key = node.unique_key;
    } else if (key == "incremental_strategy") {
      if (text != "delete+insert" && text != "merge" && text != "append") {
        return bad(fmt::format(
            "incremental_strategy '{}' is not supported (delete+insert, merge, append)", text));
      }
    } else if (key == "on_schema_change") {
      using Change = Node::OnSchemaChange;
      static const std::map<std::string, Change> kChanges = {
          {"ignore", Change::kIgnore},
          {"fail", Change::kFail},
          {"append_new_columns", Change::kAppendNewColumns},
          {"sync_all_columns", Change::kSyncAllColumns},
          {"full_refresh", Change::kFullRefresh}};
      const auto it = kChanges.find(text);
      if (it == kChanges.end()) {
        return bad(
            fmt::format("on_schema_change='{}' is not one of ignore, fail, append_new_columns, "
                        "sync_all_columns, full_refresh",
                        text));
      }
      node.on_schema_change = it->second;
    } else if (key == "severity") {
      std::string lower = text;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower != "warn" && lower != "error")
        return bad(fmt::format("severity '{}' is not warn or error", text));
      node.severity = lower == "warn" ? Severity::kWarn : Severity::kError;
    } else if (key == "where") {
      node.where = text;
    } else if (key == "strategy") {
      strategy_set = true;
      if (text == "timestamp")
        snapshot.strategy = SnapshotConfig::Strategy::kTimestamp;
      else if (text == "check")
        snapshot.strategy = SnapshotConfig::Strategy::kCheck;
      else
        return bad(fmt::format("strategy '{}' is not timestamp or check", text));
    } else if (key == "updated_at") {
      snapshot.updated_at = text;
    } else if (key == "check_cols") {
      if (!(value.kind == Value::Kind::kString && text == "all"))
        snapshot.check_cols = ValueStrings(value);
    } else if (key == "invalidate_hard_deletes") {
      snapshot.invalidate_hard_deletes = value.Truthy();
    } else if (key == "hard_deletes") {
      if (text != "ignore" && text != "invalidate") {
        return bad(fmt::format("hard_deletes '{}' is not supported (ignore, invalidate)", text));
      }
      snapshot.invalidate_hard_deletes = text == "invalidate";
    } else if (key == "enabled" && value.kind != Value::Kind::kBool) {
      return bad("enabled must be true or false");
    }
  }
  if (node.alias.empty()) node.alias = node.name;
  node.schema = SchemaFor(custom_schema);
  if (node.type == NodeType::kSnapshot) {
    if (!target_schema.empty()) node.schema = target_schema;  // verbatim, as in dbt
    if (!strategy_set) return bad("config(strategy='timestamp'|'check') is required");
    if (snapshot.unique_key.empty()) return bad("config(unique_key=...) is required");
    if (snapshot.strategy == SnapshotConfig::Strategy::kTimestamp && snapshot.updated_at.empty()) {
      return bad("the timestamp strategy needs config(updated_at='column')");
    }
    node.snapshot = snapshot;
  }
  if (node.type == NodeType::kModel && node.materialized == Materialization::kIncremental &&
      config.count("incremental_strategy") && config.at("incremental_strategy").text == "append") {
    node.unique_key.clear();
  }
  return {};
}

Result<std::string> ProjectLoader::ResolveRef(const std::string& name,
                                              const std::string& where) const {
  if (const Node* node = project_.FindRefable(name)) return node->unique_id;
  return Fail(
      ErrorCode::kConfig,
      fmt::format("{}: ref('{}') names no model, seed or snapshot in this project", where, name));
}

Status ProjectLoader::ResolveDependencies() {
  for (auto& [id, node] : project_.nodes_) {
    std::set<std::string> deps;
    for (const StaticCall& call : node.sql.FindCalls("ref")) {
      const std::string where = fmt::format("{}:{}", node.file, call.line);
      if (!call.all_literal || call.args.size() != 1) {
        return Fail(ErrorCode::kConfig, fmt::format("{}: ref() takes one string literal", where));
      }
      auto dep = ResolveRef(call.args[0].text, where);
      if (!dep) return tl::unexpected(dep.error());
      deps.insert(*dep);
    }
    for (const StaticCall& call : node.sql.FindCalls("source")) {
      const std::string where = fmt::format("{}:{}", node.file, call.line);
      if (!call.all_literal || call.args.size() != 2) {
        return Fail(ErrorCode::kConfig,
                    fmt::format("{}: source() takes two string literals", where));
      }
      const Source* source = project_.FindSource(call.args[0].text, call.args[1].text);
      if (!source) {
        return Fail(
            ErrorCode::kConfig,
            fmt::format("{}: source('{}', '{}') is not declared in a sources: block of a .yml file",
                        where, call.args[0].text, call.args[1].text));
      }
      deps.insert(source->unique_id);
    }
    node.depends_on.assign(deps.begin(), deps.end());
  }
  for (const PendingTest& pending : pending_tests_) {
    auto it = project_.nodes_.find(pending.test_id);
    if (it == project_.nodes_.end()) continue;  // disabled
    if (disabled_names_.count(pending.target_name) || disabled_names_.count(pending.to_name)) {
      project_.nodes_.erase(it);  // tests a disabled model
      continue;
    }
    Node& test = it->second;
    auto resolve = [&](const std::string& name) -> Result<std::string> {
      const std::string where = fmt::format("{}:{}", pending.file, pending.line);
      if (name.rfind("source:", 0) == 0) {
        const std::string rest = name.substr(7);
        const std::size_t dot = rest.find('.');
        if (const Source* s = project_.FindSource(rest.substr(0, dot), rest.substr(dot + 1)))
          return s->unique_id;
        return Fail(ErrorCode::kConfig,
                    fmt::format("{}: source '{}' is not declared", where, rest));
      }
      return ResolveRef(name, where);
    };
    auto target = resolve(pending.target_name);
    if (!target) return tl::unexpected(target.error());
    test.generic->target = *target;
    test.attached_node = *target;
    std::set<std::string> deps = {*target};
    if (!pending.to_name.empty()) {
      auto to = resolve(pending.to_name);
      if (!to) return tl::unexpected(to.error());
      test.generic->to = *to;
      deps.insert(*to);
    }
    test.depends_on.assign(deps.begin(), deps.end());
  }
  return {};
}

}  // namespace playlake::models
