// Internal to playlake_models: the steps of Project::Load, shared by
// project.cc (project file, SQL files, configs, dependencies) and
// schema_yml.cc (the .yml files beside the models: docs, tests, sources).
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/project.h"

namespace playlake::models {

// Config keys and values merged from dbt_project.yml folders, .yml files and
// {{ config() }}; later levels override earlier ones except `tags`, which add up.
using ConfigMap = std::map<std::string, Value>;
void MergeConfig(ConfigMap& into, const std::string& key, const Value& value);

// 1-based line of a YAML node, 0 when unknown.
int LineOf(const YAML::Node& node);
// A YAML scalar or list (of scalars) as a template value; maps are an error.
Result<Value> ValueFromYaml(const YAML::Node& node, const std::string& where);

class ProjectLoader {
 public:
  ProjectLoader(const std::filesystem::path& dir, const LoadOptions& options);
  Result<Project> Load();

 private:
  Status ReadProjectFile();
  Status LoadSqlFiles(NodeType type, const std::vector<std::string>& paths);
  Status LoadSnapshotFile(const std::filesystem::path& file, const std::vector<std::string>& fqn);
  Status LoadMacros();
  Status LoadSeeds();
  Status LoadYmlFiles();
  Status LoadYml(const std::filesystem::path& file);
  // schema_yml.cc
  Status LoadYmlResources(const YAML::Node& list, NodeType type, const std::string& file);
  Status LoadYmlSources(const YAML::Node& list, const std::string& file);
  Status AddColumnTests(const YAML::Node& tests, const std::string& target_name,
                        const std::string& target_label, const std::string& column,
                        const std::vector<std::string>& fqn_prefix, const std::string& file);
  Status LoadYmlExposures(const YAML::Node& list, const std::string& file);
  // exposures.cc
  Status LoadExposureQueries();
  Status ResolveExposures();
  Status ResolveQueryRefs(const Exposure& exposure, const std::set<std::string>& deps,
                          const std::string& where, Node& query);
  Status FinalizeConfigs();
  Status Interpret(Node& node, const ConfigMap& config);
  Status ResolveDependencies();
  Result<std::string> ResolveRef(const std::string& name, const std::string& where) const;
  Result<ConfigMap> FolderConfig(NodeType type, const std::vector<std::string>& fqn) const;
  Result<KeywordArgs> ParseModeConfig(const Template& sql, const std::string& this_relation);
  std::string SchemaFor(const std::string& custom) const;
  std::string Relative(const std::filesystem::path& file) const;

  Project project_;
  LoadOptions options_;
  std::vector<std::string> model_paths_{"models"};
  std::vector<std::string> test_paths_{"tests"};
  std::vector<std::string> snapshot_paths_{"snapshots"};
  std::vector<std::string> seed_paths_{"seeds"};
  std::vector<std::string> macro_paths_{"macros"};
  std::vector<std::string> analysis_paths_{"analyses"};
  // Every template of the project is parsed with these (LoadMacros).
  std::shared_ptr<MacroLibrary> macros_ = std::make_shared<MacroLibrary>();
  std::map<NodeType, YAML::Node> folder_configs_;
  // Per node: config from .yml (applied over folder config) and from the file.
  std::map<std::string, ConfigMap> yml_config_;
  std::map<std::string, KeywordArgs> file_config_;
  // Generic tests refer to their model by name until every file is read.
  struct PendingTest {
    std::string test_id;
    std::string target_name;  // model/seed/snapshot name, or "source:<s>.<t>"
    std::string to_name;      // relationships: same convention
    std::string file;
    int line = 0;
  };
  std::vector<PendingTest> pending_tests_;
  // Names of the models, seeds and snapshots disabled by config: the generic
  // tests on them are disabled too, as in dbt.
  std::set<std::string> disabled_names_;
  // Descriptions and columns declared in .yml, by resource name.
  struct Docs {
    std::string description;
    std::vector<ColumnDoc> columns;
    std::string file;
    int line = 0;
    NodeType type = NodeType::kModel;
  };
  std::map<std::string, Docs> docs_;
};

}  // namespace playlake::models
