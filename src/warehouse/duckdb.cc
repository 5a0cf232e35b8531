#include "warehouse/duckdb.h"

#include <dlfcn.h>
#include <duckdb.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>

namespace playlake::warehouse {
namespace {

ColumnKind KindOf(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return ColumnKind::kInteger;
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return ColumnKind::kFloat;
    case DUCKDB_TYPE_BOOLEAN:
      return ColumnKind::kBoolean;
    default:
      return ColumnKind::kText;
  }
}

const char* TypeName(duckdb_type type) {
  switch (type) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_ARRAY:
      return "ARRAY";
    case DUCKDB_TYPE_UNION:
      return "UNION";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    default:
      return "OTHER";
  }
}

// Owns a duckdb_result for the lifetime of one call.
class ResultGuard {
 public:
  ResultGuard() = default;
  ~ResultGuard() { duckdb_destroy_result(&result_); }
  ResultGuard(const ResultGuard&) = delete;
  ResultGuard& operator=(const ResultGuard&) = delete;
  duckdb_result* get() { return &result_; }

 private:
  duckdb_result result_{};
};

// An instant as DuckDB renders it in UTC: "2024-03-01 10:34:56.789+00".
std::string RenderUtc(duckdb_timestamp instant) {
  const duckdb_timestamp_struct t = duckdb_from_timestamp(instant);
  std::string text = fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", t.date.year, t.date.month,
                                 t.date.day, t.time.hour, t.time.min, t.time.sec);
  if (t.time.micros != 0) {
    std::string fraction = fmt::format("{:06}", t.time.micros);
    fraction.erase(fraction.find_last_not_of('0') + 1);
    text += '.' + fraction;
  }
  return text + "+00";
}

// Copies a result into a Table. duckdb_value_varchar renders every type
// exactly as a VARCHAR cast would, except TIMESTAMPTZ (empty text: the cast
// needs the ICU time zone the C API does not give it), rendered here in UTC.
// The chunk API would need a renderer per type. Deprecated, but still part of
// the C API (1.5).
Table Materialize(duckdb_result* result) {
  Table table;
  const idx_t column_count = duckdb_column_count(result);
  for (idx_t c = 0; c < column_count; ++c) {
    const duckdb_type type = duckdb_column_type(result, c);
    table.columns.push_back(Column{duckdb_column_name(result, c), TypeName(type), KindOf(type)});
  }
  const idx_t row_count = duckdb_row_count(result);
  table.rows.reserve(row_count);
  for (idx_t r = 0; r < row_count; ++r) {
    std::vector<std::optional<std::string>> row;
    row.reserve(column_count);
    for (idx_t c = 0; c < column_count; ++c) {
      if (duckdb_value_is_null(result, c, r)) {
        row.emplace_back(std::nullopt);
        continue;
      }
      if (duckdb_column_type(result, c) == DUCKDB_TYPE_TIMESTAMP_TZ) {
        // duckdb_value_timestamp refuses TIMESTAMPTZ; the column's array holds its micros.
        const auto* micros = static_cast<const std::int64_t*>(duckdb_column_data(result, c));
        row.emplace_back(RenderUtc(duckdb_timestamp{micros[r]}));
        continue;
      }
      char* text = duckdb_value_varchar(result, c, r);
      row.emplace_back(text ? std::string(text) : std::string());
      duckdb_free(text);
    }
    table.rows.push_back(std::move(row));
  }
  return table;
}

// DuckDB's memory: freed pages kept a while. DuckDB allocates through a
// jemalloc of its own, which hands freed pages back to the system within a
// second, to fault them in (and have the kernel zero them) again at the next
// query of the build. Its arenas keep them 30 s here (a build is over by
// then; a long-running process still returns what it stops using). Done once
// per process, before DuckDB allocates much; a libduckdb without this
// jemalloc (no duckdb_je_mallctl) is left as it is. Transparent huge pages
// for this memory were measured and dropped: on one machine they made a
// build after 10,000 plays faster, on another 0.9 s slower, zeroing 2 MiB
// pages of which a query touches little (docs/architecture.md, "DuckDB's
// freed memory kept 30 s").
void TuneDuckDBMemory() {
  using Mallctl = int (*)(const char*, void*, std::size_t*, void*, std::size_t);
  const auto mallctl = reinterpret_cast<Mallctl>(dlsym(RTLD_DEFAULT, "duckdb_je_mallctl"));
  if (!mallctl) return;
  ssize_t keep_ms = 30000;
  auto keep = [&](const std::string& name) {
    mallctl(name.c_str(), nullptr, nullptr, &keep_ms, sizeof(keep_ms));
  };
  keep("arenas.dirty_decay_ms");  // arenas made from now on
  keep("arenas.muzzy_decay_ms");
  unsigned arenas = 0;
  std::size_t size = sizeof(arenas);
  if (mallctl("arenas.narenas", &arenas, &size, nullptr, 0) != 0) return;
  for (unsigned i = 0; i < arenas; ++i) {
    keep(fmt::format("arena.{}.dirty_decay_ms", i));
    keep(fmt::format("arena.{}.muzzy_decay_ms", i));
  }
}

}  // namespace

struct Database::Impl {
  duckdb_database db = nullptr;
};

static tl::unexpected<Error> Refused(duckdb_result* result) {
  const char* message = duckdb_result_error(result);
  return tl::unexpected(StatementError(duckdb_result_error_type(result) == DUCKDB_ERROR_IO,
                                       message ? message : "DuckDB query failed"));
}

struct Connection::Impl {
  duckdb_connection conn = nullptr;

  // At log level trace, each statement's wall time and its start (where a
  // build's time goes, statement by statement).
  Status Run(std::string_view sql, duckdb_result* out) {
    const std::string statement(sql);
    const auto start = std::chrono::steady_clock::now();
    const bool refused = duckdb_query(conn, statement.c_str(), out) == DuckDBError;
    if (spdlog::should_log(spdlog::level::trace)) {
      std::string head = statement.substr(0, 160);
      std::replace(head.begin(), head.end(), '\n', ' ');
      spdlog::trace("sql {:.3f} s: {}",
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                    head);
    }
    if (refused) return Refused(out);
    return {};
  }
};

Database::Database(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Database::~Database() { duckdb_close(&impl_->db); }

Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  static std::once_flag memory_tuned;
  std::call_once(memory_tuned, TuneDuckDBMemory);
  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) == DuckDBError) {
    return Fail(ErrorCode::kWarehouse, "DuckDB: cannot create a configuration");
  }
  if (options.threads > 0) {
    duckdb_set_config(config, "threads", std::to_string(options.threads).c_str());
  }
  if (!options.memory_limit.empty()) {
    duckdb_set_config(config, "memory_limit", options.memory_limit.c_str());
  }
  if (options.read_only) duckdb_set_config(config, "access_mode", "READ_ONLY");
  if (!options.vacuum) duckdb_set_config(config, "max_vacuum_tasks", "0");
  auto impl = std::make_unique<Impl>();
  char* error = nullptr;
  const char* file = (path.empty() || path == ":memory:") ? nullptr : path.c_str();
  const duckdb_state state = duckdb_open_ext(file, &impl->db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = fmt::format("cannot open DuckDB database '{}': {}",
                                      file ? path : ":memory:", error ? error : "unknown error");
    duckdb_free(error);
    return Fail(ErrorCode::kWarehouse, std::move(message));
  }
  auto db = std::unique_ptr<Database>(new Database(std::move(impl)));
  if (options.cache_parquet_metadata) {
    // Not a startup setting: it needs the Parquet reader, loaded on first use.
    auto conn = db->Connect();
    if (!conn) return tl::unexpected(conn.error());
    if (auto s = (*conn)->Execute("SET GLOBAL parquet_metadata_cache = true"); !s) {
      return tl::unexpected(s.error());
    }
  }
  return db;
}

Result<std::unique_ptr<Connection>> Database::Connect() {
  auto impl = std::make_unique<Connection::Impl>();
  if (duckdb_connect(impl_->db, &impl->conn) == DuckDBError) {
    return Fail(ErrorCode::kWarehouse, "DuckDB: cannot open a connection");
  }
  return std::unique_ptr<Connection>(new Connection(std::move(impl)));
}

Connection::Connection(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Connection::~Connection() { duckdb_disconnect(&impl_->conn); }

Status Connection::Execute(std::string_view sql) {
  ResultGuard result;
  return impl_->Run(sql, result.get());
}

Result<Table> Connection::Query(std::string_view sql) {
  ResultGuard result;
  if (auto status = impl_->Run(sql, result.get()); !status) return tl::unexpected(status.error());
  return Materialize(result.get());
}

Result<Table> Connection::Query(std::string_view sql, const std::vector<Param>& params) {
  const std::string statement(sql);
  duckdb_prepared_statement prepared = nullptr;
  // Destroys the statement on every path, as the C API requires even after a failed prepare.
  std::unique_ptr<duckdb_prepared_statement, void (*)(duckdb_prepared_statement*)> owner(
      &prepared, duckdb_destroy_prepare);
  if (duckdb_prepare(impl_->conn, statement.c_str(), &prepared) == DuckDBError) {
    const char* message = duckdb_prepare_error(prepared);
    return Fail(ErrorCode::kWarehouse, message ? message : "DuckDB: cannot prepare the query");
  }
  if (duckdb_nparams(prepared) != params.size()) {
    return Fail(ErrorCode::kInternal, fmt::format("query has {} parameters but {} were given",
                                                  duckdb_nparams(prepared), params.size()));
  }
  for (std::size_t i = 0; i < params.size(); ++i) {
    const duckdb_state state = params[i] ? duckdb_bind_varchar(prepared, i + 1, params[i]->c_str())
                                         : duckdb_bind_null(prepared, i + 1);
    if (state == DuckDBError) {
      return Fail(ErrorCode::kWarehouse, fmt::format("cannot bind query parameter {}", i + 1));
    }
  }
  ResultGuard result;
  if (duckdb_execute_prepared(prepared, result.get()) == DuckDBError) return Refused(result.get());
  return Materialize(result.get());
}

Result<std::string> Connection::QueryScalar(std::string_view sql) {
  auto table = Query(sql);
  if (!table) return tl::unexpected(table.error());
  if (table->rows.empty() || table->columns.empty() || !table->rows[0][0]) {
    return Fail(ErrorCode::kWarehouse, fmt::format("query returned no value: {}", sql));
  }
  return *table->rows[0][0];
}

Error StatementError(bool io_error, std::string message) {
  // DuckDB says why in strerror's words, in an IO error or in the
  // TransactionContext error of a commit that could not write its log: a full
  // disk is a cause of its own either way.
  for (const int full : {ENOSPC, EDQUOT}) {
    if (message.find(std::strerror(full)) != std::string::npos) {
      return DiskFullError(std::move(message));
    }
  }
  return Error{io_error ? ErrorCode::kIo : ErrorCode::kWarehouse, std::move(message)};
}

std::string QuoteLiteral(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace playlake::warehouse
