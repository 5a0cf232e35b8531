// Project::Load: dbt_project.yml, the SQL files, configs and dependencies.
// The .yml files beside the models are read in schema_yml.cc.
#include "models/project.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "models/context.h"
#include "models/loader.h"

namespace playlake::models {
namespace fs = std::filesystem;

const char* NodeTypeName(NodeType type) {
  switch (type) {
    case NodeType::kModel:
      return "model";
    case NodeType::kSeed:
      return "seed";
    case NodeType::kTest:
      return "test";
    case NodeType::kSnapshot:
      return "snapshot";
  }
  return "node";
}

const char* MaterializationName(Materialization m) {
  switch (m) {
    case Materialization::kView:
      return "view";
    case Materialization::kTable:
      return "table";
    case Materialization::kIncremental:
      return "incremental";
    case Materialization::kEphemeral:
      return "ephemeral";
  }
  return "view";
}

Value ValueFromScalar(const std::string& text) {
  if (text == "true" || text == "True") return Value::Bool(true);
  if (text == "false" || text == "False") return Value::Bool(false);
  if (!text.empty() && text.find_first_not_of("0123456789.-") == std::string::npos &&
      std::count(text.begin(), text.end(), '.') <= 1 && text.find('-', 1) == std::string::npos &&
      text != "-" && text != ".") {
    return Value::Number(std::stod(text), text);
  }
  return Value::String(text);
}

void MergeConfig(ConfigMap& into, const std::string& key, const Value& value) {
  if (key != "tags") {
    into[key] = value;
    return;
  }
  Value& tags = into["tags"];
  if (tags.kind != Value::Kind::kList) tags = Value::List({});
  auto add = [&](const Value& tag) {
    for (const Value& t : tags.items) {
      if (t.text == tag.text) return;
    }
    tags.items.push_back(tag);
  };
  if (value.kind == Value::Kind::kList) {
    for (const Value& tag : value.items) add(tag);
  } else {
    add(value);
  }
}

int LineOf(const YAML::Node& node) { return node.Mark().is_null() ? 0 : node.Mark().line + 1; }

Result<Value> ValueFromYaml(const YAML::Node& node, const std::string& where) {
  if (node.IsNull()) return Value::None();
  if (node.IsScalar()) {
    // A quoted scalar ('7') stays a string; a plain one (7) is typed.
    return node.Tag() == "!" ? Value::String(node.Scalar()) : ValueFromScalar(node.Scalar());
  }
  if (node.IsSequence()) {
    std::vector<Value> items;
    for (const YAML::Node& item : node) {
      auto v = ValueFromYaml(item, where);
      if (!v) return v;
      items.push_back(std::move(*v));
    }
    return Value::List(std::move(items));
  }
  return Fail(ErrorCode::kConfig,
              fmt::format("{}:{}: expected a value or a list, not a map", where, LineOf(node)));
}

Result<std::map<std::string, Value>> ParseVars(const std::string& yaml_text) {
  std::map<std::string, Value> vars;
  YAML::Node doc;
  try {
    doc = YAML::Load(yaml_text);
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kInvalidArgument, fmt::format("--vars is not valid YAML: {}", e.msg));
  }
  if (doc.IsNull()) return vars;
  if (!doc.IsMap()) {
    return Fail(ErrorCode::kInvalidArgument,
                "--vars must be a YAML map, e.g. \"{days: 7, country: SE}\"");
  }
  for (const auto& kv : doc) {
    auto v = ValueFromYaml(kv.second, "--vars");
    if (!v) return Fail(ErrorCode::kInvalidArgument, v.error().message);
    vars[kv.first.Scalar()] = std::move(*v);
  }
  return vars;
}

namespace {

Result<std::string> ReadText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Fail(ErrorCode::kIo, fmt::format("cannot read {}", file.string()));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Files under `dir` ending in `ext`, sorted so that loading is deterministic.
std::vector<fs::path> FilesUnder(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> files;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return files;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file() && it->path().extension() == ext) files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

Result<std::vector<std::string>> StringList(const YAML::Node& node, const std::string& where) {
  std::vector<std::string> out;
  if (node.IsScalar()) return std::vector<std::string>{node.Scalar()};
  if (!node.IsSequence()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}:{}: expected a list of strings", where, LineOf(node)));
  }
  for (const YAML::Node& item : node) out.push_back(item.Scalar());
  return out;
}

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

const Node* Project::FindNode(const std::string& unique_id) const {
  auto it = nodes_.find(unique_id);
  return it == nodes_.end() ? nullptr : &it->second;
}

const Node* Project::FindRefable(const std::string& name) const {
  auto it = refable_.find(name);
  return it == refable_.end() ? nullptr : FindNode(it->second);
}

const Source* Project::FindSource(const std::string& source_name, const std::string& table) const {
  auto it = sources_.find(fmt::format("source.{}.{}.{}", name_, source_name, table));
  return it == sources_.end() ? nullptr : &it->second;
}

Result<Project> Project::Load(const fs::path& dir, const LoadOptions& options) {
  return ProjectLoader(dir, options).Load();
}

ProjectLoader::ProjectLoader(const fs::path& dir, const LoadOptions& options) : options_(options) {
  project_.root_ = fs::absolute(dir).lexically_normal();
  project_.target_schema_ = options.target_schema;
}

std::string ProjectLoader::Relative(const fs::path& file) const {
  return file.lexically_relative(project_.root_).generic_string();
}

std::string ProjectLoader::SchemaFor(const std::string& custom) const {
  // dbt's default generate_schema_name: <target schema>_<custom schema>.
  return custom.empty() ? project_.target_schema_ : project_.target_schema_ + "_" + custom;
}

Result<Project> ProjectLoader::Load() {
  if (auto s = ReadProjectFile(); !s) return tl::unexpected(s.error());
  for (const std::string& macros : macro_paths_) {
    if (!FilesUnder(project_.root_ / macros, ".sql").empty()) {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}: macros are not supported by Playlake's model runner (see "
                              "docs/models.md); inline the SQL or remove the folder",
                              (project_.root_ / macros).string()));
    }
  }
  if (auto s = LoadSqlFiles(NodeType::kModel, model_paths_); !s) return tl::unexpected(s.error());
  if (auto s = LoadSqlFiles(NodeType::kTest, test_paths_); !s) return tl::unexpected(s.error());
  if (auto s = LoadSqlFiles(NodeType::kSnapshot, snapshot_paths_); !s)
    return tl::unexpected(s.error());
  if (auto s = LoadSeeds(); !s) return tl::unexpected(s.error());
  if (auto s = LoadYmlFiles(); !s) return tl::unexpected(s.error());
  if (auto s = FinalizeConfigs(); !s) return tl::unexpected(s.error());
  if (auto s = ResolveDependencies(); !s) return tl::unexpected(s.error());
  return std::move(project_);
}

Status ProjectLoader::ReadProjectFile() {
  const fs::path file = project_.root_ / "dbt_project.yml";
  auto text = ReadText(file);
  if (!text) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{} not found: a model project needs a dbt_project.yml with at least "
                            "`name:`",
                            file.string()));
  }
  const std::string where = file.string();
  YAML::Node doc;
  try {
    doc = YAML::Load(*text);
  } catch (const YAML::Exception& e) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}:{}: invalid YAML: {}", where, e.mark.line + 1, e.msg));
  }
  if (!doc.IsMap() || !doc["name"]) {
    return Fail(ErrorCode::kConfig, fmt::format("{}: `name:` is required", where));
  }
  static const std::set<std::string> kIgnored = {"version",
                                                 "config-version",
                                                 "profile",
                                                 "require-dbt-version",
                                                 "clean-targets",
                                                 "target-path",
                                                 "log-path",
                                                 "analysis-paths",
                                                 "docs-paths",
                                                 "asset-paths",
                                                 "packages-install-path"};
  for (const auto& kv : doc) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& value = kv.second;
    auto paths = [&](std::vector<std::string>& out) -> Status {
      auto list = StringList(value, where);
      if (!list) return tl::unexpected(list.error());
      out = *list;
      return {};
    };
    Status status;
    if (key == "name") {
      project_.name_ = value.Scalar();
    } else if (key == "model-paths" || key == "source-paths") {
      status = paths(model_paths_);
    } else if (key == "test-paths") {
      status = paths(test_paths_);
    } else if (key == "snapshot-paths") {
      status = paths(snapshot_paths_);
    } else if (key == "seed-paths" || key == "data-paths") {
      status = paths(seed_paths_);
    } else if (key == "macro-paths") {
      status = paths(macro_paths_);
    } else if (key == "vars") {
      if (!value.IsMap())
        return Fail(ErrorCode::kConfig,
                    fmt::format("{}:{}: vars: must be a map", where, LineOf(value)));
      for (const auto& var : value) {
        auto v = ValueFromYaml(var.second, where);
        if (!v) return tl::unexpected(v.error());
        project_.vars_[var.first.Scalar()] = std::move(*v);
      }
    } else if (key == "models") {
      folder_configs_[NodeType::kModel] = value;
    } else if (key == "seeds") {
      folder_configs_[NodeType::kSeed] = value;
    } else if (key == "snapshots") {
      folder_configs_[NodeType::kSnapshot] = value;
    } else if (key == "tests" || key == "data_tests") {
      folder_configs_[NodeType::kTest] = value;
    } else if (!kIgnored.count(key)) {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}:{}: key '{}' is not supported by Playlake's model runner (see "
                              "docs/models.md)",
                              where, LineOf(kv.first), key));
    }
    if (!status) return status;
  }
  for (const auto& [name, value] : options_.vars) project_.vars_[name] = value;
  return {};
}

Result<KeywordArgs> ProjectLoader::ParseModeConfig(const Template& sql,
                                                   const std::string& this_relation) {
  KeywordArgs config;
  RenderEnv env;
  env.vars = &project_.vars_;
  env.ref = [](const std::string& name) -> Result<std::string> { return name; };
  env.source = [](const std::string& s, const std::string& t) -> Result<std::string> {
    return s + "." + t;
  };
  env.this_relation = this_relation;
  env.config_out = &config;
  ModelContext context(env);
  if (auto rendered = sql.Render(context); !rendered) return tl::unexpected(rendered.error());
  return config;
}

Status ProjectLoader::LoadSqlFiles(NodeType type, const std::vector<std::string>& paths) {
  for (const std::string& base : paths) {
    for (const fs::path& file : FilesUnder(project_.root_ / base, ".sql")) {
      std::vector<std::string> fqn = {project_.name_};
      for (const auto& part : file.lexically_relative(project_.root_ / base).parent_path()) {
        fqn.push_back(part.string());
      }
      if (type == NodeType::kSnapshot) {
        if (auto s = LoadSnapshotFile(file, fqn); !s) return s;
        continue;
      }
      auto text = ReadText(file);
      if (!text) return tl::unexpected(text.error());
      Node node;
      node.type = type;
      node.name = file.stem().string();
      node.path = Relative(file);
      node.file = file.string();
      node.unique_id = fmt::format("{}.{}.{}", NodeTypeName(type), project_.name_, node.name);
      node.fqn = fqn;
      node.fqn.push_back(node.name);
      node.raw_code = *text;
      auto sql = Template::Parse(*text, node.file);
      if (!sql) return tl::unexpected(sql.error());
      node.sql = std::move(*sql);
      auto config = ParseModeConfig(node.sql, node.name);
      if (!config) return tl::unexpected(config.error());
      file_config_[node.unique_id] = std::move(*config);
      if (project_.nodes_.count(node.unique_id)) {
        return Fail(ErrorCode::kConfig,
                    fmt::format("{}: a {} named '{}' already exists (names must be unique)",
                                node.file, NodeTypeName(type), node.name));
      }
      project_.nodes_.emplace(node.unique_id, std::move(node));
    }
  }
  return {};
}

Status ProjectLoader::LoadSnapshotFile(const fs::path& file, const std::vector<std::string>& fqn) {
  auto text = ReadText(file);
  if (!text) return tl::unexpected(text.error());
  auto parsed = Template::Parse(*text, file.string(), Template::Options{{"snapshot"}});
  if (!parsed) return tl::unexpected(parsed.error());
  auto blocks = parsed->TopLevelBlocks("snapshot");
  if (!blocks) return tl::unexpected(blocks.error());
  for (TemplateBlock& block : *blocks) {
    Node node;
    node.type = NodeType::kSnapshot;
    node.name = block.name;
    node.path = Relative(file);
    node.file = file.string();
    node.unique_id = fmt::format("snapshot.{}.{}", project_.name_, node.name);
    node.fqn = fqn;
    node.fqn.push_back(node.name);
    node.raw_code = *text;
    node.sql = std::move(block.body);
    auto config = ParseModeConfig(node.sql, node.name);
    if (!config) return tl::unexpected(config.error());
    file_config_[node.unique_id] = std::move(*config);
    if (project_.nodes_.count(node.unique_id)) {
      return Fail(ErrorCode::kConfig, fmt::format("{}:{}: snapshot '{}' is defined twice",
                                                  node.file, block.line, node.name));
    }
    project_.nodes_.emplace(node.unique_id, std::move(node));
  }
  return {};
}

Status ProjectLoader::LoadSeeds() {
  for (const std::string& base : seed_paths_) {
    for (const fs::path& file : FilesUnder(project_.root_ / base, ".csv")) {
      Node node;
      node.type = NodeType::kSeed;
      node.name = file.stem().string();
      node.path = Relative(file);
      node.file = file.string();
      node.seed_file = file.string();
      node.unique_id = fmt::format("seed.{}.{}", project_.name_, node.name);
      node.fqn = {project_.name_};
      for (const auto& part : file.lexically_relative(project_.root_ / base).parent_path()) {
        node.fqn.push_back(part.string());
      }
      node.fqn.push_back(node.name);
      project_.nodes_.emplace(node.unique_id, std::move(node));
    }
  }
  return {};
}

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
    } else if (key == "on_schema_change" && text != "fail") {
      return bad(
          "only on_schema_change='fail' is supported: a changed schema needs --full-refresh");
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
