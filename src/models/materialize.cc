#include "models/materialize.h"

#include <fmt/format.h>

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
                            const std::string& staged, const char* verb) {
  auto rows = CountRows(conn, staged);
  if (!rows) return tl::unexpected(rows.error());
  auto existing = FindRelation(conn, node.schema, node.alias);
  if (!existing) return tl::unexpected(existing.error());
  std::vector<std::string> statements;
  if (*existing != RelationKind::kMissing)
    statements.push_back(DropStatement(*existing, Compiler::RelationOf(node)));
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

Result<Materialized> BuildView(warehouse::Connection& conn, const Node& node,
                               const std::string& sql) {
  auto existing = FindRelation(conn, node.schema, node.alias);
  if (!existing) return tl::unexpected(existing.error());
  const std::string relation = Compiler::RelationOf(node);
  std::vector<std::string> statements;
  if (*existing == RelationKind::kTable) statements.push_back(DropStatement(*existing, relation));
  statements.push_back(fmt::format("CREATE OR REPLACE VIEW {} AS (\n{}\n)", relation, sql));
  if (auto s = InTransaction(conn, statements); !s) return tl::unexpected(s.error());
  return Materialized{-1, "CREATE VIEW"};
}

Result<Materialized> BuildTable(warehouse::Connection& conn, const Node& node,
                                const std::string& sql) {
  const std::string staged =
      QuoteIdentifier(node.schema) + "." + QuoteIdentifier(StagingName(node));
  if (auto s = conn.Execute(fmt::format("CREATE OR REPLACE TABLE {} AS (\n{}\n)", staged, sql));
      !s) {
    return tl::unexpected(s.error());
  }
  return SwapIn(conn, node, staged, "CREATE TABLE");
}

Result<Materialized> BuildIncremental(warehouse::Connection& conn, const Node& node,
                                      const std::string& sql) {
  const std::string relation = Compiler::RelationOf(node);
  const std::string staged = QuoteIdentifier("playlake_incr_" + node.schema + "_" + node.alias);
  if (auto s =
          conn.Execute(fmt::format("CREATE OR REPLACE TEMP TABLE {} AS (\n{}\n)", staged, sql));
      !s) {
    return tl::unexpected(s.error());
  }
  auto rows = CountRows(conn, staged);
  if (!rows) return tl::unexpected(rows.error());
  std::vector<std::string> statements;
  if (!node.unique_key.empty()) {
    std::string match;
    for (const std::string& key : node.unique_key) {
      match += fmt::format("{}new.{} = {}.{}", match.empty() ? "" : " AND ", key,
                           QuoteIdentifier(node.alias), key);
    }
    statements.push_back(fmt::format(
        "DELETE FROM {} WHERE EXISTS (SELECT 1 FROM {} AS new WHERE {})", relation, staged, match));
  }
  statements.push_back(fmt::format("INSERT INTO {} BY NAME SELECT * FROM {}", relation, staged));
  Status status = InTransaction(conn, statements);
  (void)conn.Execute("DROP TABLE IF EXISTS " + staged);
  if (!status) return tl::unexpected(status.error());
  return Materialized{*rows, fmt::format("INSERT ({} rows)", *rows)};
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
  return SwapIn(conn, node, staged, "INSERT");
}

}  // namespace playlake::models
