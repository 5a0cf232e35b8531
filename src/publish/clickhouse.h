// Publishing gold to ClickHouse, for BI tools and many dashboard readers.
//
//   ClickHouseTarget target{.url = "http://127.0.0.1:8123", .database = "radio"};
//   auto published = PublishTables(warehouse, {"fct_plays", "dim_tracks"}, target, scratch);
//
// Each table is loaded into `<table>__next` (a MergeTree table with every
// column's type mapped explicitly, MappedType), then all of them are swapped
// in by one multi-table RENAME, so readers see either the previous build's
// tables or the new ones, never half a table; the previous tables are then
// dropped. Publishing the same warehouse again gives the same tables. When
// ClickHouse fails on the way, the tables it serves stay as they were (a
// leftover `__next` is dropped by the next publish).
//
// Works on ClickHouse 18.16 (Debian 12's package) and current releases:
// only the HTTP interface, JSONEachRow, MergeTree and RENAME TABLE are used.
// Credentials: `user`/`password` as X-ClickHouse-User/-Key headers, never
// in a URL or a log.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "warehouse/duckdb.h"

namespace playlake::publish {

struct ClickHouseTarget {
  std::string url;       // the HTTP interface, e.g. http://127.0.0.1:8123
  std::string database;  // created when missing
  std::string user;      // empty: ClickHouse's default user
  std::string password;
  std::chrono::milliseconds timeout{600'000};  // one request
  // Run statements in `database` (its tables need no prefix); it must exist.
  bool in_database = false;
};

// `text` as a ClickHouse string literal: quoted, with backslash escapes
// (ClickHouse reads a backslash in a literal as an escape, unlike DuckDB).
std::string ClickHouseLiteral(const std::string& text);

// What a DuckDB column type becomes in ClickHouse, and the DuckDB expression
// that renders a value of `column` as JSONEachRow wants it.
struct MappedColumn {
  std::string name;
  std::string clickhouse_type;  // e.g. "Nullable(Int64)"
  std::string select;           // e.g. "CAST(\"plays\" AS BIGINT)"
};
MappedColumn MappedType(const std::string& column, const std::string& duckdb_type);

struct PublishReport {
  std::int64_t tables = 0;
  std::int64_t rows = 0;
};

// One request to ClickHouse's HTTP interface: `sql`, with `body_file` (when
// not empty) streamed as the data of an INSERT. Returns the answer's body.
// Errors: kIo naming the failure (ClickHouse's own message for an HTTP error).
Result<std::string> ClickHouseRequest(const ClickHouseTarget& target, const std::string& sql,
                                      const std::filesystem::path& body_file = {});

// Publishes `tables` of the warehouse `db` (their names in its main schema)
// as described above. `scratch` holds the exported rows while they load.
Result<PublishReport> PublishTables(warehouse::Connection& db,
                                    const std::vector<std::string>& tables,
                                    const ClickHouseTarget& target,
                                    const std::filesystem::path& scratch);

}  // namespace playlake::publish
