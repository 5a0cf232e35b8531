#include "models/snapshot.h"

#include <fmt/format.h>

#include "models/compiler.h"

namespace playlake::models {
namespace {

using warehouse::QuoteIdentifier;
using warehouse::QuoteLiteral;

std::string KeysMatch(const std::vector<std::string>& keys, const std::string& a,
                      const std::string& b) {
  std::string out;
  for (const std::string& k : keys)
    out += fmt::format("{}{}.{} = {}.{}", out.empty() ? "" : " AND ", a, k, b, k);
  return out;
}

std::string KeyText(const std::vector<std::string>& keys, const std::string& alias) {
  std::string out;
  for (const std::string& k : keys) {
    out += fmt::format("{}coalesce(CAST({}.{} AS VARCHAR), '')", out.empty() ? "" : " || '|' || ",
                       alias, k);
  }
  return out;
}

}  // namespace

Result<Materialized> RunSnapshot(warehouse::Connection& conn, const Node& node,
                                 const std::string& select_sql, const std::string& now) {
  const SnapshotConfig& cfg = *node.snapshot;
  const std::string target = Compiler::RelationOf(node);
  const std::string source = QuoteIdentifier("playlake_snap_src_" + node.name);
  const std::string changed = QuoteIdentifier("playlake_snap_changed_" + node.name);
  const std::string now_ts = fmt::format("CAST({} AS TIMESTAMP)", QuoteLiteral(now));
  const bool by_time = cfg.strategy == SnapshotConfig::Strategy::kTimestamp;

  if (auto s = conn.Execute(
          fmt::format("CREATE OR REPLACE TEMP TABLE {} AS (\n{}\n)", source, select_sql));
      !s) {
    return tl::unexpected(s.error());
  }
  auto cleanup = [&] {
    (void)conn.Execute("DROP TABLE IF EXISTS " + source);
    (void)conn.Execute("DROP TABLE IF EXISTS " + changed);
  };
  std::string key_list;
  for (const std::string& k : cfg.unique_key) key_list += (key_list.empty() ? "" : ", ") + k;
  auto duplicates = conn.QueryScalar(
      fmt::format("SELECT count(*) FROM (SELECT {k} FROM {s} GROUP BY {k} HAVING count(*) > 1)",
                  fmt::arg("k", key_list), fmt::arg("s", source)));
  if (!duplicates || *duplicates != "0") {
    cleanup();
    if (!duplicates) return tl::unexpected(duplicates.error());
    return Fail(
        ErrorCode::kData,
        fmt::format("{}: snapshot '{}': {} unique_key value(s) ({}) occur more than once in "
                    "the source query; a snapshot needs one row per key",
                    node.file, node.name, *duplicates, key_list));
  }

  // The moment a row's version begins: its updated_at, or the run's clock.
  const std::string updated =
      by_time ? fmt::format("CAST(s.{} AS TIMESTAMP)", cfg.updated_at) : now_ts;
  const std::string meta_columns = fmt::format(
      "md5({key} || '|' || coalesce(CAST({upd} AS VARCHAR), '')) AS dbt_scd_id, {upd} AS "
      "dbt_updated_at, "
      "{upd} AS dbt_valid_from, CAST(NULL AS TIMESTAMP) AS dbt_valid_to",
      fmt::arg("key", KeyText(cfg.unique_key, "s")), fmt::arg("upd", updated));

  auto existing = FindRelation(conn, node.schema, node.alias);
  if (!existing) {
    cleanup();
    return tl::unexpected(existing.error());
  }
  if (*existing == RelationKind::kMissing) {
    Status s = conn.Execute(fmt::format("CREATE TABLE {} AS SELECT s.*, {} FROM {} AS s", target,
                                        meta_columns, source));
    auto rows = conn.QueryScalar("SELECT count(*) FROM " + source);
    cleanup();
    if (!s) return tl::unexpected(s.error());
    if (!rows) return tl::unexpected(rows.error());
    return Materialized{std::stoll(*rows), fmt::format("CREATE SNAPSHOT ({} rows)", *rows)};
  }

  std::string change_condition;
  if (by_time) {
    change_condition = fmt::format("{} > t.dbt_updated_at", updated);
  } else {
    std::vector<std::string> columns = cfg.check_cols;
    if (columns.empty()) {
      auto described = conn.Query("SELECT * FROM " + source + " LIMIT 0");
      if (!described) {
        cleanup();
        return tl::unexpected(described.error());
      }
      for (const auto& column : described->columns) columns.push_back(QuoteIdentifier(column.name));
    }
    for (const std::string& c : columns) {
      change_condition +=
          fmt::format("{}s.{} IS DISTINCT FROM t.{}", change_condition.empty() ? "" : " OR ", c, c);
    }
  }
  const std::string current = fmt::format("{} AS t", target);
  // Rows to insert: changed keys and keys with no current row, computed before
  // any update so that the two sets are taken from the same snapshot state.
  std::vector<std::string> statements = {
      fmt::format("CREATE OR REPLACE TEMP TABLE {changed} AS "
                  "SELECT s.*, {updated} AS playlake_boundary FROM {source} AS s JOIN {current} "
                  "ON {match} AND t.dbt_valid_to IS NULL WHERE {cond}",
                  fmt::arg("changed", changed), fmt::arg("updated", updated),
                  fmt::arg("source", source), fmt::arg("current", current),
                  fmt::arg("match", KeysMatch(cfg.unique_key, "s", "t")),
                  fmt::arg("cond", change_condition)),
      fmt::format("UPDATE {target} SET dbt_valid_to = c.playlake_boundary FROM {changed} AS c "
                  "WHERE {match} AND {target_name}.dbt_valid_to IS NULL",
                  fmt::arg("target", target), fmt::arg("changed", changed),
                  fmt::arg("match", KeysMatch(cfg.unique_key, "c", QuoteIdentifier(node.alias))),
                  fmt::arg("target_name", QuoteIdentifier(node.alias))),
      fmt::format("INSERT INTO {target} BY NAME SELECT * EXCLUDE (playlake_boundary), {meta} FROM "
                  "{changed} AS s",
                  fmt::arg("target", target), fmt::arg("meta", meta_columns),
                  fmt::arg("changed", changed)),
      fmt::format(
          "INSERT INTO {target} BY NAME SELECT s.*, {meta} FROM {source} AS s WHERE NOT EXISTS "
          "(SELECT 1 FROM {current} WHERE {match} AND t.dbt_valid_to IS NULL)",
          fmt::arg("target", target), fmt::arg("meta", meta_columns), fmt::arg("source", source),
          fmt::arg("current", current), fmt::arg("match", KeysMatch(cfg.unique_key, "s", "t"))),
  };
  if (cfg.invalidate_hard_deletes) {
    statements.push_back(fmt::format(
        "UPDATE {target} SET dbt_valid_to = {now} WHERE dbt_valid_to IS NULL AND NOT EXISTS "
        "(SELECT 1 FROM {source} AS s WHERE {match})",
        fmt::arg("target", target), fmt::arg("now", now_ts), fmt::arg("source", source),
        fmt::arg("match", KeysMatch(cfg.unique_key, "s", QuoteIdentifier(node.alias)))));
  }
  auto before = conn.QueryScalar(fmt::format("SELECT count(*) FROM {}", target));
  Status status = InTransaction(conn, statements);
  auto after = conn.QueryScalar(fmt::format("SELECT count(*) FROM {}", target));
  cleanup();
  if (!status) return tl::unexpected(status.error());
  if (!before || !after) return tl::unexpected(before ? after.error() : before.error());
  const int64_t inserted = std::stoll(*after) - std::stoll(*before);
  return Materialized{inserted, fmt::format("SNAPSHOT ({} new versions)", inserted)};
}

}  // namespace playlake::models
