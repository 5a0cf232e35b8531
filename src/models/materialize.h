// Materializations: how a compiled model becomes a relation in DuckDB.
//
//   view         CREATE OR REPLACE VIEW (a table of the same name is dropped first)
//   table        built under a staging name, then swapped in one transaction, so a
//                failed build leaves the previous table untouched
//   incremental  first run or --full-refresh: as table; later runs: the new rows
//                are staged in a table of their own (NewRowsRelation), then (in one
//                transaction) rows with the
//                same unique_key are deleted and the new rows inserted by column name
//                (dbt's delete+insert; without unique_key rows are appended). When the
//                query's columns differ from the table's, on_schema_change decides:
//                ignore (insert the table's columns), append_new_columns,
//                sync_all_columns (also drop the columns gone), fail, or full_refresh
//                (the caller rebuilds the model as a table)
//   ephemeral    never built; inlined as a CTE by the Compiler
// Seeds load a CSV (DuckDB's read_csv with type detection) through the table path.
//
// Every function runs on the caller's Connection and returns DuckDB's error as
// Error{kWarehouse} with the statement that failed. A failed transaction is
// rolled back before returning.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "models/project.h"
#include "warehouse/duckdb.h"

namespace playlake::models {

enum class RelationKind { kMissing, kTable, kView };

struct Materialized {
  int64_t rows = -1;    // rows written; -1 when not meaningful (views)
  std::string message;  // dbt-like adapter response, e.g. "CREATE TABLE (42 rows)"
};

// Where an incremental run of `node` stages its new rows: a table of the
// model's schema and name in kNewRowsDatabase, an in-memory database attached
// to the warehouse's DuckDB (AttachNewRows), so they are never written to the
// warehouse file. Every connection of the DuckDB sees it; it is kept after the
// run so the run's tests can check the rows. Whoever runs the tests drops it
// (DROP TABLE IF EXISTS) when the command ends; it goes with the process.
inline constexpr const char* kNewRowsDatabase = "playlake_new_rows";
std::string NewRowsRelation(const Node& node);
// Attaches kNewRowsDatabase (unless attached) with each of `schemas`.
Status AttachNewRows(warehouse::Connection& conn, const std::set<std::string>& schemas);

Result<RelationKind> FindRelation(warehouse::Connection& conn, const std::string& schema,
                                  const std::string& name);

// Every table and view of the warehouse's database, read with one query: a
// command looks each node's relation up here once instead of asking DuckDB's
// catalog (about 10 ms a query) several times per node. Valid while only that
// command changes the warehouse's relations, each node its own.
class Relations {
 public:
  static Result<Relations> Read(warehouse::Connection& conn);
  RelationKind Find(const std::string& schema, const std::string& name) const;

 private:
  std::map<std::pair<std::string, std::string>, RelationKind> kinds_;
};

// `existing`: what the node's relation is before the build (Relations::Find).
Result<Materialized> BuildView(warehouse::Connection& conn, const Node& node,
                               const std::string& sql, RelationKind existing);
Result<Materialized> BuildTable(warehouse::Connection& conn, const Node& node,
                                const std::string& sql, RelationKind existing);
// How the columns of a model's query differ from its table's, by name.
struct SchemaChange {
  std::vector<std::pair<std::string, std::string>> added;  // name, DuckDB type
  std::vector<std::string> removed;
  // Columns of another type than the table's: name, "OLD -> NEW".
  std::vector<std::pair<std::string, std::string>> retyped;
  bool empty() const { return added.empty() && removed.empty() && retyped.empty(); }
  // e.g. "added region_name; removed city; region_key VARCHAR -> UBIGINT"
  std::string Describe() const;
};

// The first step of an incremental run: the rows of `sql` (compiled with
// is_incremental() true) into NewRowsRelation(node). DuckDB's error when the
// query does not bind (a Binder Error) or fails.
Status StageNewRows(warehouse::Connection& conn, const Node& node, const std::string& sql);
// How the staged new rows' columns differ from the table's: read from the
// catalog, so the query is not bound a second time to learn its columns.
// REQUIRES: the node's relation exists as a table; StageNewRows succeeded.
Result<SchemaChange> CompareColumns(warehouse::Connection& conn, const Node& node);

// Merges the staged new rows into the table. REQUIRES: StageNewRows
// succeeded; `change` is CompareColumns's answer, with no retyped column,
// and the node's on_schema_change is ignore, append_new_columns or
// sync_all_columns (or the change is empty). The new rows stay in
// NewRowsRelation(node), also when the build fails.
Result<Materialized> BuildIncremental(warehouse::Connection& conn, const Node& node,
                                      const SchemaChange& change);
Result<Materialized> LoadSeed(warehouse::Connection& conn, const Node& node);

// Runs `statements` in one transaction; rolls back on the first failure.
Status InTransaction(warehouse::Connection& conn, const std::vector<std::string>& statements);

}  // namespace playlake::models
