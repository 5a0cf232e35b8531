// A dbt-style model project loaded into memory: the files, their configs and
// the dependencies between them, before anything touches the warehouse.
//
// Project::Load reads `dir`/dbt_project.yml, then every .sql and .yml under the
// model, test, snapshot and seed paths. It renders each model once in "parse
// mode" (is_incremental() is false, ref() and source() return placeholders) to
// collect its {{ config() }}, and walks every template statically to find all
// ref()/source() calls, in every branch, so that a ref inside
// {% if is_incremental() %} is still a dependency.
//
// Errors are Error{kConfig} naming the file (and line, where there is one):
// bad YAML, unknown keys, unsupported Jinja, a ref to a model that does not
// exist, a test on an undeclared column's model, duplicate names, an
// exposure's query reading a model its depends_on does not list.
//
// A Project is immutable after Load and safe to read from many threads.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "models/template.h"

namespace playlake::models {

enum class NodeType { kModel, kSeed, kTest, kSnapshot };
const char* NodeTypeName(NodeType type);  // "model", "seed", "test", "snapshot"

enum class Materialization { kView, kTable, kIncremental, kEphemeral };
const char* MaterializationName(Materialization m);

enum class Severity { kError, kWarn };

struct ColumnDoc {
  std::string name;
  std::string description;
};

// The four built-in generic tests, with their arguments.
struct GenericTest {
  enum class Kind { kUnique, kNotNull, kAcceptedValues, kRelationships };
  Kind kind = Kind::kUnique;
  std::string target;  // unique_id of the tested model, seed, snapshot or source
  std::string column;
  std::vector<std::string> values;  // accepted_values
  bool quote = true;                // accepted_values: quote the values as strings
  std::string to;                   // relationships: unique_id of the referenced node
  std::string field;                // relationships: column in `to`
};

struct SnapshotConfig {
  enum class Strategy { kTimestamp, kCheck };
  Strategy strategy = Strategy::kTimestamp;
  std::vector<std::string> unique_key;
  std::string updated_at;               // timestamp strategy
  std::vector<std::string> check_cols;  // check strategy; empty means all columns
  bool invalidate_hard_deletes = false;
};

struct Node {
  std::string unique_id;  // "<type>.<project>.<name>", as in dbt
  NodeType type = NodeType::kModel;
  std::string name;
  std::string path;  // relative to the project folder, e.g. models/marts/fct_plays.sql
  std::string file;  // absolute path, for error messages and docs
  std::string description;
  std::vector<ColumnDoc> columns;
  std::vector<std::string> tags;
  std::vector<std::string> fqn;  // project, folders..., name

  // Relation: where the node lives in the warehouse (models, seeds, snapshots).
  std::string schema;
  std::string alias;
  Materialization materialized = Materialization::kView;
  std::vector<std::string> unique_key;  // incremental models
  // Incremental models: what a run does when the model's columns no longer
  // match its table's (dbt's on_schema_change; kFullRefresh is Playlake's own).
  enum class OnSchemaChange { kIgnore, kFail, kAppendNewColumns, kSyncAllColumns, kFullRefresh };
  OnSchemaChange on_schema_change = OnSchemaChange::kIgnore;
  std::map<std::string, std::string> config_text;  // every config key, rendered, for the manifest

  std::string raw_code;                 // file text (models, singular tests, snapshots)
  Template sql;                         // parsed template (models, singular tests, snapshot bodies)
  std::vector<std::string> depends_on;  // unique_ids of nodes and sources, sorted, unique

  // Tests.
  Severity severity = Severity::kError;
  std::string where;                   // optional filter on the tested relation
  std::optional<GenericTest> generic;  // unset for singular tests
  std::string attached_node;           // the node a generic test tests

  std::optional<SnapshotConfig> snapshot;
  std::string seed_file;  // seeds: absolute path to the CSV
};

struct Source {
  std::string unique_id;  // "source.<project>.<source>.<table>"
  std::string source_name;
  std::string name;        // table name as used in source('s', 't')
  std::string schema;      // default: the source name
  std::string identifier;  // default: the table name
  std::string description;
  std::vector<ColumnDoc> columns;
  std::string file;
};

// A use of the models outside the project (dbt's `exposures:`), such as a
// page of the dashboard, declared in a .yml file beside the models or the
// analyses. Its queries are the .sql files of the folder named after it under
// the analysis-paths (analyses/<name>/<query>.sql): templates like models'
// (ref() resolves to the built relation), compiled but never materialized.
struct Exposure {
  std::string unique_id;  // "exposure.<project>.<name>"
  std::string name;
  std::string type;  // dashboard, notebook, analysis, ml, application
  std::string label;
  std::string url;
  std::string maturity;
  std::string description;
  std::string owner_name;
  std::string owner_email;
  std::map<std::string, std::string> meta;  // scalar meta values
  std::vector<std::string> depends_on;      // unique_ids of what it reads, sorted, unique
  std::string file;                         // the .yml that declares it
  int line = 0;
  // One node per query file, by file name; unique_id "analysis.<project>.<exposure>.<query>".
  // Every ref() of a query names a model the exposure lists in depends_on.
  std::vector<Node> queries;
  // The ClickHouse variants of some of them (analyses/<name>/<query>.clickhouse.sql),
  // by the name of the query they stand for; see CompileClickHouseQueries.
  std::vector<Node> clickhouse_queries;
};

struct LoadOptions {
  // Overrides and additions to the project's `vars:` (like dbt's --vars).
  std::map<std::string, Value> vars;
  // The schema models land in when they have no custom +schema (dbt's target schema).
  std::string target_schema = "main";
};

class Project {
 public:
  static Result<Project> Load(const std::filesystem::path& dir, const LoadOptions& options = {});

  const std::string& name() const { return name_; }
  const std::filesystem::path& root() const { return root_; }
  const std::map<std::string, Value>& vars() const { return vars_; }
  const std::string& target_schema() const { return target_schema_; }
  // All nodes by unique_id (ordered, so iteration is deterministic).
  const std::map<std::string, Node>& nodes() const { return nodes_; }
  const std::map<std::string, Source>& sources() const { return sources_; }
  // Exposures by unique_id.
  const std::map<std::string, Exposure>& exposures() const { return exposures_; }

  const Node* FindNode(const std::string& unique_id) const;
  // The model, seed or snapshot called `name` (what ref('name') means).
  const Node* FindRefable(const std::string& name) const;
  const Source* FindSource(const std::string& source_name, const std::string& table) const;

 private:
  friend class ProjectLoader;
  std::string name_;
  std::filesystem::path root_;
  std::string target_schema_;
  std::map<std::string, Value> vars_;
  std::map<std::string, Node> nodes_;
  std::map<std::string, Source> sources_;
  std::map<std::string, Exposure> exposures_;
  std::map<std::string, std::string> refable_;  // name -> unique_id
};

// Converts a YAML scalar text to a template value the way dbt's YAML does:
// numbers become numbers, true/false booleans, everything else strings.
Value ValueFromScalar(const std::string& text);

// Parses --vars text, a YAML map such as "{start_date: '2024-01-01', days: 7}".
// Anything else is Error{kInvalidArgument}.
Result<std::map<std::string, Value>> ParseVars(const std::string& yaml_text);

}  // namespace playlake::models
