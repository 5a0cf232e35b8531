#include "silver/table_writer.h"

#include <duckdb.h>
#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <map>

namespace playlake::silver {
namespace {

using sources::ColumnBatch;
using sources::ColumnType;
using sources::TableSpec;

duckdb_type TypeId(ColumnType t) {
  switch (t) {
    case ColumnType::kText: return DUCKDB_TYPE_VARCHAR;
    case ColumnType::kBlob: return DUCKDB_TYPE_BLOB;
    case ColumnType::kInt64: return DUCKDB_TYPE_BIGINT;
    case ColumnType::kDouble: return DUCKDB_TYPE_DOUBLE;
    case ColumnType::kBool: return DUCKDB_TYPE_BOOLEAN;
    case ColumnType::kTimestamp: return DUCKDB_TYPE_TIMESTAMP_TZ;
    case ColumnType::kDate: return DUCKDB_TYPE_DATE;
  }
  return DUCKDB_TYPE_VARCHAR;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else out += c;
  }
  return out + "'";
}

std::string StageName(const TableSpec& spec) { return fmt::format("stage_{}", spec.name); }

// Owns a duckdb_result.
struct QueryResult {
  duckdb_result result{};
  ~QueryResult() { duckdb_destroy_result(&result); }
};

}  // namespace

const char* SqlType(ColumnType t) {
  switch (t) {
    case ColumnType::kText: return "VARCHAR";
    case ColumnType::kBlob: return "BLOB";
    case ColumnType::kInt64: return "BIGINT";
    case ColumnType::kDouble: return "DOUBLE";
    case ColumnType::kBool: return "BOOLEAN";
    case ColumnType::kTimestamp: return "TIMESTAMPTZ";
    case ColumnType::kDate: return "DATE";
  }
  return "VARCHAR";
}

struct TableWriter::Impl {
  duckdb_database db = nullptr;
  duckdb_connection conn = nullptr;
  std::map<std::string, std::int64_t, std::less<>> staged;  // table → rows
  std::map<std::string, bool, std::less<>> created;

  ~Impl() {
    if (conn) duckdb_disconnect(&conn);
    if (db) duckdb_close(&db);
  }

  Status Run(const std::string& sql, duckdb_result* out, std::string_view what) {
    duckdb_result local{};
    duckdb_result* r = out ? out : &local;
    const bool failed = duckdb_query(conn, sql.c_str(), r) == DuckDBError;
    std::string message = failed && duckdb_result_error(r) ? duckdb_result_error(r) : "";
    if (!out) duckdb_destroy_result(&local);
    if (failed) return Fail(ErrorCode::kWarehouse, fmt::format("DuckDB ({}): {}", what, message));
    return {};
  }

  Status EnsureStage(const TableSpec& spec) {
    const std::string name = StageName(spec);
    if (created.contains(name)) return {};
    std::string ddl = fmt::format("CREATE TABLE {} (", name);
    for (std::size_t i = 0; i < spec.columns.size(); ++i) {
      ddl += fmt::format("{}{} {}", i ? ", " : "", spec.columns[i].name, SqlType(spec.columns[i].type));
    }
    ddl += ")";
    if (auto s = Run(ddl, nullptr, name); !s) return s;
    created[name] = true;
    return {};
  }
};

TableWriter::TableWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TableWriter::~TableWriter() = default;

Result<std::unique_ptr<TableWriter>> TableWriter::Create(const WriterOptions& options) {
  auto impl = std::make_unique<Impl>();
  duckdb_config config = nullptr;
  duckdb_create_config(&config);
  if (options.threads > 0) duckdb_set_config(config, "threads", std::to_string(options.threads).c_str());
  if (!options.memory_limit.empty()) duckdb_set_config(config, "memory_limit", options.memory_limit.c_str());
  char* error = nullptr;
  const duckdb_state state = duckdb_open_ext(nullptr, &impl->db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    return Fail(ErrorCode::kWarehouse, "cannot start DuckDB for silver: " + message);
  }
  if (duckdb_connect(impl->db, &impl->conn) == DuckDBError) {
    return Fail(ErrorCode::kWarehouse, "cannot connect to DuckDB for silver");
  }
  // Insertion order is irrelevant for silver (readers sort); dropping it lets
  // DuckDB write Parquet in parallel without reordering.
  if (auto s = impl->Run("SET preserve_insertion_order = false", nullptr, "settings"); !s) {
    return tl::unexpected(s.error());
  }
  return std::unique_ptr<TableWriter>(new TableWriter(std::move(impl)));
}

std::int64_t TableWriter::StagedRows(const TableSpec& spec) const {
  const auto it = impl_->staged.find(StageName(spec));
  return it == impl_->staged.end() ? 0 : it->second;
}

Status TableWriter::Append(const ColumnBatch& batch, std::span<const std::uint8_t> keep) {
  const TableSpec& spec = batch.spec();
  if (batch.rows() == 0) return {};
  if (auto s = impl_->EnsureStage(spec); !s) return s;
  const std::string name = StageName(spec);
  duckdb_appender appender = nullptr;
  if (duckdb_appender_create(impl_->conn, nullptr, name.c_str(), &appender) == DuckDBError) {
    std::string message = appender ? duckdb_appender_error(appender) : "appender";
    duckdb_appender_destroy(&appender);
    return Fail(ErrorCode::kWarehouse, fmt::format("DuckDB appender for {}: {}", name, message));
  }
  const std::size_t ncol = spec.columns.size();
  std::vector<duckdb_logical_type> types(ncol);
  for (std::size_t c = 0; c < ncol; ++c) types[c] = duckdb_create_logical_type(TypeId(spec.columns[c].type));
  const idx_t capacity = duckdb_vector_size();
  duckdb_data_chunk chunk = duckdb_create_data_chunk(types.data(), ncol);
  Status status;
  std::int64_t appended = 0;
  std::size_t row = 0;
  const std::size_t total = batch.rows();
  while (row < total && status) {
    duckdb_data_chunk_reset(chunk);
    // Pick the next `capacity` kept rows.
    std::array<std::uint32_t, 2048> picked{};
    idx_t n = 0;
    while (row < total && n < capacity && n < picked.size()) {
      if (keep[row]) picked[n++] = static_cast<std::uint32_t>(row);
      ++row;
    }
    if (n == 0) continue;
    for (std::size_t c = 0; c < ncol; ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
      duckdb_vector_ensure_validity_writable(vec);
      std::uint64_t* validity = duckdb_vector_get_validity(vec);
      void* data = duckdb_vector_get_data(vec);
      const int col = static_cast<int>(c);
      const ColumnType type = spec.columns[c].type;
      for (idx_t i = 0; i < n; ++i) {
        const std::size_t r = picked[i];
        if (!batch.IsValid(col, r)) {
          duckdb_validity_set_row_invalid(validity, i);
          continue;
        }
        switch (type) {
          case ColumnType::kText:
          case ColumnType::kBlob: {
            const std::string_view v = batch.Text(col, r);
            duckdb_vector_assign_string_element_len(vec, i, v.data(), v.size());
            break;
          }
          case ColumnType::kInt64:
          case ColumnType::kTimestamp: static_cast<std::int64_t*>(data)[i] = batch.Int(col, r); break;
          case ColumnType::kDate:
            static_cast<std::int32_t*>(data)[i] = static_cast<std::int32_t>(batch.Int(col, r));
            break;
          case ColumnType::kBool: static_cast<bool*>(data)[i] = batch.Int(col, r) != 0; break;
          case ColumnType::kDouble: static_cast<double*>(data)[i] = batch.Double(col, r); break;
        }
      }
    }
    duckdb_data_chunk_set_size(chunk, n);
    if (duckdb_append_data_chunk(appender, chunk) == DuckDBError) {
      status = Fail(ErrorCode::kWarehouse,
                    fmt::format("DuckDB append to {}: {}", name, duckdb_appender_error(appender)));
    }
    appended += static_cast<std::int64_t>(n);
  }
  if (status && duckdb_appender_close(appender) == DuckDBError) {
    status = Fail(ErrorCode::kWarehouse,
                  fmt::format("DuckDB append to {}: {}", name, duckdb_appender_error(appender)));
  }
  duckdb_appender_destroy(&appender);
  duckdb_destroy_data_chunk(&chunk);
  for (auto& t : types) duckdb_destroy_logical_type(&t);
  if (status) impl_->staged[name] += appended;
  return status;
}

Status TableWriter::Reset() {
  for (auto& [name, rows] : impl_->staged) {
    if (rows == 0) continue;
    if (auto s = impl_->Run(fmt::format("DELETE FROM {}", name), nullptr, name); !s) return s;
    rows = 0;
  }
  return {};
}

Result<std::vector<std::string>> TableWriter::StagedPartitions(const TableSpec& spec) {
  std::vector<std::string> values;
  if (spec.partition < 0 || StagedRows(spec) == 0) return values;
  QueryResult q;
  const std::string column(spec.columns[spec.partition].name);
  if (auto s = impl_->Run(fmt::format("SELECT DISTINCT CAST({} AS VARCHAR) FROM {} ORDER BY 1",
                                      column, StageName(spec)),
                          &q.result, spec.name);
      !s) {
    return tl::unexpected(s.error());
  }
  const idx_t rows = duckdb_row_count(&q.result);
  for (idx_t r = 0; r < rows; ++r) {
    char* v = duckdb_value_varchar(&q.result, 0, r);
    if (v) values.emplace_back(v);
    duckdb_free(v);
  }
  return values;
}

Result<FlushResult> TableWriter::Flush(const TableSpec& spec, const std::string& folder,
                                       const std::string& file_stem,
                                       const std::vector<std::string>& existing) {
  FlushResult result;
  result.staged = StagedRows(spec);
  if (result.staged == 0) return result;
  const std::string stage = StageName(spec);
  const std::string key(spec.columns[spec.key].name);
  std::string select = fmt::format("SELECT * FROM {} s", stage);
  if (!existing.empty()) {
    std::string list;
    for (const auto& f : existing) list += (list.empty() ? "" : ", ") + Quote(f);
    select += fmt::format(" WHERE s.{0} NOT IN (SELECT {0} FROM read_parquet([{1}]))", key, list);
  }
  std::string copy;
  if (spec.partition >= 0) {
    copy = fmt::format(
        "COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({}), "
        "FILENAME_PATTERN {}, OVERWRITE_OR_IGNORE true, RETURN_FILES true)",
        select, Quote(folder), spec.columns[spec.partition].name, Quote(file_stem + ".{i}"));
  } else {
    copy = fmt::format("COPY ({}) TO {} (FORMAT parquet, COMPRESSION zstd, RETURN_FILES true)",
                       select, Quote(folder + "/" + file_stem + ".parquet"));
  }
  QueryResult q;
  if (auto s = impl_->Run(copy, &q.result, spec.name); !s) return tl::unexpected(s.error());
  // RETURN_FILES gives one row: (Count BIGINT, Files VARCHAR[]). Read it as a
  // chunk: the value accessors of the C API do not support lists.
  duckdb_data_chunk chunk = duckdb_fetch_chunk(q.result);
  if (chunk && duckdb_data_chunk_get_size(chunk) > 0) {
    result.written = static_cast<std::int64_t*>(
        duckdb_vector_get_data(duckdb_data_chunk_get_vector(chunk, 0)))[0];
    duckdb_vector list = duckdb_data_chunk_get_vector(chunk, 1);
    auto* entries = static_cast<duckdb_list_entry*>(duckdb_vector_get_data(list));
    duckdb_vector child = duckdb_list_vector_get_child(list);
    auto* strings = static_cast<duckdb_string_t*>(duckdb_vector_get_data(child));
    for (idx_t i = 0; i < entries[0].length; ++i) {
      duckdb_string_t& s = strings[entries[0].offset + i];
      const char* ptr = duckdb_string_is_inlined(s) ? s.value.inlined.inlined : s.value.pointer.ptr;
      result.files.push_back(WrittenFile{std::string(ptr, duckdb_string_t_length(s)), 0});
    }
  }
  if (chunk) duckdb_destroy_data_chunk(&chunk);
  if (result.written > 0 && !result.files.empty()) {
    std::string list;
    for (const auto& f : result.files) list += (list.empty() ? "" : ", ") + Quote(f.path);
    QueryResult counts;
    if (auto s = impl_->Run(fmt::format("SELECT file_name, num_rows FROM parquet_file_metadata([{}])",
                                        list),
                            &counts.result, spec.name);
        !s) {
      return tl::unexpected(s.error());
    }
    const idx_t n = duckdb_row_count(&counts.result);
    for (idx_t r = 0; r < n; ++r) {
      char* name = duckdb_value_varchar(&counts.result, 0, r);
      const std::int64_t rows = duckdb_value_int64(&counts.result, 1, r);
      for (auto& f : result.files) {
        if (name && f.path == name) f.rows = rows;
      }
      duckdb_free(name);
    }
  }
  if (result.written == 0) {
    // DuckDB may still create an empty file for an unpartitioned COPY: not ours to keep.
    for (const auto& f : result.files) std::remove(f.path.c_str());
    result.files.clear();
  }
  if (auto s = impl_->Run(fmt::format("DELETE FROM {}", stage), nullptr, spec.name); !s) {
    return tl::unexpected(s.error());
  }
  impl_->staged[stage] = 0;
  return result;
}


}  // namespace playlake::silver
