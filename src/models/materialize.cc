#include "models/materialize.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <set>

#include "models/compiler.h"

namespace playlake::models {
namespace {

using warehouse::QuoteIdentifier;
using warehouse::QuoteLiteral;

// Staging names are derived from the alias so parallel workers never collide.
std::string StagingName(const Node& node) { return node.alias + "__playlake_tmp"; }

std::string DropStatement(RelationKind kind, const std::string& relation) {
  switch (kind) {
    case RelationKind::kTable:
      return "DROP TABLE IF EXISTS " + relation;
    case RelationKind::kView:
      return "DROP VIEW IF EXISTS " + relation;
    case RelationKind::kMissing:
      return {};
  }
  return {};
}

Result<int64_t> CountRows(warehouse::Connection& conn, const std::string& relation) {
  auto count = conn.QueryScalar("SELECT count(*) FROM " + relation);
  if (!count) return tl::unexpected(count.error());
  return std::stoll(*count);
}

// Swaps the staged table in place of the node's relation, in one transaction.
Result<Materialized> SwapIn(warehouse::Connection& conn, const Node& node,
                            const std::string& staged, const char* verb, RelationKind existing) {
  auto rows = CountRows(conn, staged);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<std::string> statements;
  if (existing != RelationKind::kMissing)
    statements.push_back(DropStatement(existing, Compiler::RelationOf(node)));
  statements.push_back(
      fmt::format("ALTER TABLE {} RENAME TO {}", staged, QuoteIdentifier(node.alias)));
  if (auto s = InTransaction(conn, statements); !s) {
    (void)conn.Execute("DROP TABLE IF EXISTS " + staged);
    return tl::unexpected(s.error());
  }
  return Materialized{*rows, fmt::format("{} ({} rows)", verb, *rows)};
}

}  // namespace

Status InTransaction(warehouse::Connection& conn, const std::vector<std::string>& statements) {
  if (auto s = conn.Execute("BEGIN TRANSACTION"); !s) return s;
  for (const std::string& statement : statements) {
    if (auto s = conn.Execute(statement); !s) {
      (void)conn.Execute("ROLLBACK");
      return Fail(s.error().code, fmt::format("{}\n  in: {}", s.error().message, statement));
    }
  }
  return conn.Execute("COMMIT");
}

Result<RelationKind> FindRelation(warehouse::Connection& conn, const std::string& schema,
                                  const std::string& name) {
  auto table = conn.Query(fmt::format(
      "SELECT table_type FROM information_schema.tables WHERE table_catalog = current_database() "
      "AND table_schema = {} AND table_name = {}",
      QuoteLiteral(schema), QuoteLiteral(name)));
  if (!table) return tl::unexpected(table.error());
  if (table->rows.empty() || !table->rows[0][0]) return RelationKind::kMissing;
  return *table->rows[0][0] == "VIEW" ? RelationKind::kView : RelationKind::kTable;
}

Result<Relations> Relations::Read(warehouse::Connection& conn) {
  auto table = conn.Query(
      "SELECT schema_name, table_name, 'table' FROM duckdb_tables() WHERE database_name = "
      "current_database() UNION ALL SELECT schema_name, view_name, 'view' FROM duckdb_views() "
      "WHERE database_name = current_database() AND NOT internal");
  if (!table) return tl::unexpected(table.error());
  Relations relations;
  for (const auto& row : table->rows) {
    relations.kinds_[{row[0].value_or(""), row[1].value_or("")}] =
        row[2] == "view" ? RelationKind::kView : RelationKind::kTable;
  }
  return relations;
}

RelationKind Relations::Find(const std::string& schema, const std::string& name) const {
  auto it = kinds_.find({schema, name});
  return it == kinds_.end() ? RelationKind::kMissing : it->second;
}

Result<Materialized> BuildView(warehouse::Connection& conn, const Node& node,
                               const std::string& sql, RelationKind existing) {
  const std::string relation = Compiler::RelationOf(node);
  std::vector<std::string> statements;
  if (existing == RelationKind::kTable) statements.push_back(DropStatement(existing, relation));
  statements.push_back(fmt::format("CREATE OR REPLACE VIEW {} AS (\n{}\n)", relation, sql));
  if (auto s = InTransaction(conn, statements); !s) return tl::unexpected(s.error());
  return Materialized{-1, "CREATE VIEW"};
}

Result<Materialized> BuildTable(warehouse::Connection& conn, const Node& node,
                                const std::string& sql, RelationKind existing) {
  const std::string staged =
      QuoteIdentifier(node.schema) + "." + QuoteIdentifier(StagingName(node));
  if (auto s = conn.Execute(fmt::format("CREATE OR REPLACE TABLE {} AS (\n{}\n)", staged, sql));
      !s) {
    return tl::unexpected(s.error());
  }
  return SwapIn(conn, node, staged, "CREATE TABLE", existing);
}

std::string SchemaChange::Describe() const {
  std::vector<std::string> parts, added_names;
  for (const auto& [name, type] : added) added_names.push_back(name);
  if (!added.empty()) parts.push_back(fmt::format("added {}", fmt::join(added_names, ", ")));
  if (!removed.empty()) parts.push_back(fmt::format("removed {}", fmt::join(removed, ", ")));
  for (const auto& [name, types] : retyped) parts.push_back(name + " " + types);
  return fmt::format("{}", fmt::join(parts, "; "));
}

Status StageNewRows(warehouse::Connection& conn, const Node& node, const std::string& sql) {
  return conn.Execute(
      fmt::format("CREATE OR REPLACE TABLE {} AS (\n{}\n)", NewRowsRelation(node), sql));
}

Result<SchemaChange> CompareColumns(warehouse::Connection& conn, const Node& node) {
  // pragma_table_info looks up the two tables by name (0.5-1 ms);
  // information_schema.columns lists every column of every table first
  // (4-9 ms on the benchmark's warehouse, for each incremental model).
  auto columns = conn.Query(
      fmt::format("SELECT true, name, type, cid FROM pragma_table_info({}) UNION ALL "
                  "SELECT false, name, type, cid FROM pragma_table_info({}) ORDER BY 1 DESC, 4",
                  QuoteLiteral(NewRowsRelation(node)), QuoteLiteral(Compiler::RelationOf(node))));
  if (!columns) return tl::unexpected(columns.error());
  std::map<std::string, std::string> table_columns;  // name → type
  std::set<std::string> query_columns;
  std::vector<std::pair<std::string, std::string>> staged;  // name, type, in query order
  for (const auto& row : columns->rows) {
    const std::string name = row[1].value_or("");
    if (row[0] == "true") {
      query_columns.insert(name);
      staged.emplace_back(name, row[2].value_or(""));
    } else {
      table_columns.emplace(name, row[2].value_or(""));
    }
  }
  SchemaChange change;
  for (const auto& [name, type] : staged) {
    const auto stored = table_columns.find(name);
    if (stored == table_columns.end()) {
      change.added.emplace_back(name, type);
    } else if (stored->second != type) {
      change.retyped.emplace_back(name, stored->second + " -> " + type);
    }
  }
  for (const auto& [name, type] : table_columns) {
    if (!query_columns.count(name)) change.removed.push_back(name);
  }
  return change;
}

Result<Materialized> BuildIncremental(warehouse::Connection& conn, const Node& node,
                                      const SchemaChange& change) {
  const std::string relation = Compiler::RelationOf(node);
  const std::string staged = NewRowsRelation(node);
  auto rows = CountRows(conn, staged);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<std::string> statements;
  using Change = Node::OnSchemaChange;
  std::string insert_columns = "*";
  if (node.on_schema_change == Change::kIgnore && !change.added.empty()) {
    insert_columns = "* EXCLUDE (";
    for (std::size_t i = 0; i < change.added.size(); ++i) {
      insert_columns += (i ? ", " : "") + QuoteIdentifier(change.added[i].first);
    }
    insert_columns += ")";
  }
  if (node.on_schema_change == Change::kAppendNewColumns ||
      node.on_schema_change == Change::kSyncAllColumns) {
    for (const auto& [name, type] : change.added) {
      statements.push_back(
          fmt::format("ALTER TABLE {} ADD COLUMN {} {}", relation, QuoteIdentifier(name), type));
    }
  }
  if (node.on_schema_change == Change::kSyncAllColumns) {
    for (const auto& name : change.removed) {
      statements.push_back(
          fmt::format("ALTER TABLE {} DROP COLUMN {}", relation, QuoteIdentifier(name)));
    }
  }
  if (!node.unique_key.empty()) {
    std::string match;
    for (const std::string& key : node.unique_key) {
      match += fmt::format("{}new.{} = {}.{}", match.empty() ? "" : " AND ", key,
                           QuoteIdentifier(node.alias), key);
    }
    statements.push_back(fmt::format(
        "DELETE FROM {} WHERE EXISTS (SELECT 1 FROM {} AS new WHERE {})", relation, staged, match));
  }
  statements.push_back(
      fmt::format("INSERT INTO {} BY NAME SELECT {} FROM {}", relation, insert_columns, staged));
  if (Status status = InTransaction(conn, statements); !status) {
    return tl::unexpected(status.error());
  }
  return Materialized{*rows, fmt::format("INSERT ({} rows)", *rows)};
}

std::string NewRowsRelation(const Node& node) {
  return std::string(kNewRowsDatabase) + "." + QuoteIdentifier(node.schema) + "." +
         QuoteIdentifier(node.alias);
}

Status AttachNewRows(warehouse::Connection& conn, const std::set<std::string>& schemas) {
  if (auto s = conn.Execute(fmt::format("ATTACH IF NOT EXISTS ':memory:' AS {}", kNewRowsDatabase));
      !s) {
    return s;
  }
  for (const std::string& schema : schemas) {
    if (auto s = conn.Execute(fmt::format("CREATE SCHEMA IF NOT EXISTS {}.{}", kNewRowsDatabase,
                                          QuoteIdentifier(schema)));
        !s) {
      return s;
    }
  }
  return {};
}

Result<Materialized> LoadSeed(warehouse::Connection& conn, const Node& node) {
  const std::string staged =
      QuoteIdentifier(node.schema) + "." + QuoteIdentifier(StagingName(node));
  if (auto s = conn.Execute(
          fmt::format("CREATE OR REPLACE TABLE {} AS SELECT * FROM read_csv({}, header = true)",
                      staged, QuoteLiteral(node.seed_file)));
      !s) {
    return tl::unexpected(s.error());
  }
  return SwapIn(conn, node, staged, "INSERT", RelationKind::kTable);
}

}  // namespace playlake::models
