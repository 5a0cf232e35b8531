// Turns a node's template into the SQL the warehouse runs.
//
// ref('x') renders to x's relation ("schema"."alias"), or, when x is
// ephemeral, to the CTE name __dbt__cte__x; the CTEs of every ephemeral model
// reached through refs are injected at the top of the query, in dependency
// order (dbt's behaviour). source('s','t') renders to what the caller mapped
// it to (RelationMap), else to "schema"."identifier" from the .yml.
//
// Thread safety: a Compiler is immutable; Compile may run on many threads.
#pragma once

#include <map>
#include <string>

#include "models/project.h"

namespace playlake::models {

// "source.table" -> SQL text that replaces source('source', 'table'): a view
// the caller registered, a read_parquet(...) call, any relation expression.
using SourceRelations = std::map<std::string, std::string>;

class Compiler {
 public:
  // Both must outlive the Compiler. `unqualified`: ref() renders a model's
  // bare "alias", for an engine that holds the built tables under their
  // names in a database of its own (ClickHouse, where gold is published).
  Compiler(const Project& project, const SourceRelations& sources, bool unqualified = false)
      : project_(project), sources_(sources), unqualified_(unqualified) {}

  // "schema"."alias" of a model, seed or snapshot.
  static std::string RelationOf(const Node& node);
  std::string RelationOf(const Source& source) const;

  // The node's SQL with templates rendered and ephemeral CTEs injected;
  // trailing semicolons removed. Errors name the file and line.
  Result<std::string> Compile(const Node& node, bool is_incremental) const;

  // A query returning the failing rows of a test (generic or singular).
  // `new_rows`, when given, names a table of the rows the tested model gained
  // in this run (models/materialize.h, NewRowsRelation): a generic test then
  // checks those rows only. unique looks for their keys among all the
  // model's rows; not_null, accepted_values and relationships check the new
  // rows alone. Singular tests ignore it.
  Result<std::string> TestQuery(const Node& test, const std::string& new_rows = {}) const;

 private:
  Result<std::string> Render(const Node& node, bool is_incremental,
                             std::vector<std::string>* ephemerals) const;
  Result<std::string> RelationOfId(const std::string& unique_id) const;

  const Project& project_;
  const SourceRelations& sources_;
  const bool unqualified_;
};

// Inserts `ctes` ("name as (...), ...") into `sql`: after its leading WITH
// (or WITH RECURSIVE) when it has one, else as a new WITH clause.
std::string InjectCtes(const std::string& sql, const std::string& ctes);

}  // namespace playlake::models
