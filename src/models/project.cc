// Project::Load: dbt_project.yml, the SQL files, configs and dependencies.
// The .yml files beside the models are read in schema_yml.cc.
#include "models/project.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "config/yaml.h"
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
  // yaml-cpp throws on some shapes (a list where text belongs): an error, never an abort.
  const std::string project_file = (project_.root_ / "dbt_project.yml").string();
  if (auto s = config::GuardYaml(project_file, [&] { return ReadProjectFile(); }); !s) {
    return tl::unexpected(s.error());
  }
  if (auto s = LoadMacros(); !s) return tl::unexpected(s.error());
  if (auto s = LoadSqlFiles(NodeType::kModel, model_paths_); !s) return tl::unexpected(s.error());
  if (auto s = LoadSqlFiles(NodeType::kTest, test_paths_); !s) return tl::unexpected(s.error());
  if (auto s = LoadSqlFiles(NodeType::kSnapshot, snapshot_paths_); !s)
    return tl::unexpected(s.error());
  if (auto s = LoadSeeds(); !s) return tl::unexpected(s.error());
  if (auto s = LoadYmlFiles(); !s) return tl::unexpected(s.error());
  if (auto s = config::GuardYaml(project_file, [&] { return FinalizeConfigs(); }); !s) {
    return tl::unexpected(s.error());
  }
  if (auto s = ResolveDependencies(); !s) return tl::unexpected(s.error());
  if (auto s = LoadExposureQueries(); !s) return tl::unexpected(s.error());
  if (auto s = ResolveExposures(); !s) return tl::unexpected(s.error());
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
  auto parsed = config::ParseYaml(*text, where);
  if (!parsed) return tl::unexpected(parsed.error());
  const YAML::Node doc = *parsed;
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
    } else if (key == "analysis-paths") {
      status = paths(analysis_paths_);
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

Status ProjectLoader::LoadMacros() {
  for (const std::string& base : macro_paths_) {
    for (const fs::path& file : FilesUnder(project_.root_ / base, ".sql")) {
      auto text = ReadText(file);
      if (!text) return tl::unexpected(text.error());
      if (auto s = macros_->AddFile(*text, file.string()); !s) return s;
    }
  }
  return {};
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
      auto sql = Template::Parse(*text, node.file, {.macros = macros_});
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

// Each exposure's queries: analyses/<exposure name>/*.sql, parsed with the
// project's macros. An analysis folder named after no exposure is left alone.
Status ProjectLoader::LoadExposureQueries() {
  for (auto& [id, exposure] : project_.exposures_) {
    for (const std::string& base : analysis_paths_) {
      for (const fs::path& file : FilesUnder(project_.root_ / base / exposure.name, ".sql")) {
        auto text = ReadText(file);
        if (!text) return tl::unexpected(text.error());
        // x.clickhouse.sql: the ClickHouse variant of x.sql.
        const std::string stem = file.stem().string();
        const bool clickhouse = stem.ends_with(".clickhouse");
        Node query;
        query.name = clickhouse ? stem.substr(0, stem.size() - 11) : stem;
        query.path = Relative(file);
        query.file = file.string();
        query.unique_id = fmt::format("analysis.{}.{}.{}{}", project_.name_, exposure.name,
                                      query.name, clickhouse ? ".clickhouse" : "");
        query.fqn = {project_.name_, exposure.name, query.name};
        query.raw_code = *text;
        auto sql = Template::Parse(*text, query.file, {.macros = macros_});
        if (!sql) return tl::unexpected(sql.error());
        query.sql = std::move(*sql);
        (clickhouse ? exposure.clickhouse_queries : exposure.queries).push_back(std::move(query));
      }
    }
  }
  return {};
}

Status ProjectLoader::LoadSnapshotFile(const fs::path& file, const std::vector<std::string>& fqn) {
  auto text = ReadText(file);
  if (!text) return tl::unexpected(text.error());
  auto parsed =
      Template::Parse(*text, file.string(), {.allowed_blocks = {"snapshot"}, .macros = macros_});
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

}  // namespace playlake::models
