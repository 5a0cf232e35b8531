// A thin adapter over DuckDB's C API: the only place that includes duckdb.h.
//
// Database owns an embedded DuckDB instance (in memory or in a file).
// Connection runs SQL on it and returns results as values; DuckDB's errors
// become Errors with the failing statement's message (see StatementError).
//
// Thread safety: a Database may be shared by many threads, each with its own
// Connection. A Connection must not be used by two threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace playlake::warehouse {

// How a column's values should be rendered when they leave the engine
// (JSON numbers vs strings, right-aligned in tables, ...).
enum class ColumnKind { kInteger, kFloat, kBoolean, kText };

struct Column {
  std::string name;
  std::string type;  // DuckDB's type name, e.g. "BIGINT", "TIMESTAMP WITH TIME ZONE"
  ColumnKind kind;
};

// A materialised query result. Values are rendered as DuckDB's VARCHAR cast;
// std::nullopt is SQL NULL.
struct Table {
  std::vector<Column> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

struct DatabaseOptions {
  int threads = 0;           // 0: DuckDB's default (all cores)
  std::string memory_limit;  // e.g. "2GB"; empty: DuckDB's default
  bool read_only = false;    // open an existing file without taking the write lock
  // Keep each Parquet file's footer in memory after its first read, for a
  // process that reads the same files many times (a build binds and scans
  // silver in most models). Only for files never rewritten in place, as the
  // lake's are.
  bool cache_parquet_metadata = false;
  // Let checkpoints vacuum: merge small row groups and drop deleted rows
  // (DuckDB's max_vacuum_tasks). Off, a checkpoint writes what changed as it
  // is: much less work after a small incremental build, at the cost of row
  // groups and deleted rows left for a later checkpoint that vacuums.
  bool vacuum = true;
};

// A query parameter: text, or SQL NULL (std::nullopt). Parameters are bound as
// VARCHAR; the SQL casts them where it needs another type (`?::DATE`).
using Param = std::optional<std::string>;

class Connection;

class Database {
 public:
  // Opens `path`, or an in-memory database when `path` is empty or ":memory:".
  static Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  Result<std::unique_ptr<Connection>> Connect();

 private:
  struct Impl;
  explicit Database(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Connection {
 public:
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements, discarding results.
  Status Execute(std::string_view sql);
  // Runs a query and materialises its result.
  Result<Table> Query(std::string_view sql);
  // Runs a prepared query with `params` bound to its `?` placeholders in order.
  // User input reaches SQL only this way, never by concatenation.
  Result<Table> Query(std::string_view sql, const std::vector<Param>& params);
  // Runs a query expected to return one value; NULL or no row is an error.
  Result<std::string> QueryScalar(std::string_view sql);

 private:
  friend class Database;
  struct Impl;
  explicit Connection(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The error for a statement DuckDB refused with `message`. A full disk is
// kDiskFull, whatever DuckDB's error type (IO, or a commit's TransactionContext
// error), like errors Playlake's own code meets; another file it could not read
// or write (`io_error`: DuckDB's error type is IO) is kIo; the rest is kWarehouse.
Error StatementError(bool io_error, std::string message);

// Quotes `text` as a SQL string literal ('it''s').
std::string QuoteLiteral(std::string_view text);
// Quotes `name` as a SQL identifier ("my ""table""").
std::string QuoteIdentifier(std::string_view name);

}  // namespace playlake::warehouse
