#include "silver/table_writer.h"

#include <duckdb.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>

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

// One table's rows waiting for the next Flush.
struct Staged {
  std::vector<sources::ColumnBatch> batches;
  std::vector<std::vector<std::uint8_t>> keeps;
  std::int64_t rows = 0;
};

// A unit of work for one call of the table function: up to one vector of
// kept rows of one batch.
struct Slice {
  const ColumnBatch* batch;
  std::vector<std::uint32_t> rows;
};

struct TableWriter::Impl {
  duckdb_database db = nullptr;
  duckdb_connection conn = nullptr;
  int threads = 1;
  std::map<std::string, Staged, std::less<>> staged;  // by table name
  // The slices of the COPY running now, claimed by DuckDB's threads.
  std::vector<Slice> slices;
  std::atomic<std::size_t> next_slice{0};
  const TableSpec* scanning = nullptr;

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

  static void Bind(duckdb_bind_info info) {
    auto* self = static_cast<Impl*>(duckdb_bind_get_extra_info(info));
    const TableSpec& spec = *self->scanning;
    for (const auto& c : spec.columns) {
      duckdb_logical_type type = duckdb_create_logical_type(TypeId(c.type));
      duckdb_bind_add_result_column(info, std::string(c.name).c_str(), type);
      duckdb_destroy_logical_type(&type);
    }
  }

  static void Init(duckdb_init_info info) {
    auto* self = static_cast<Impl*>(duckdb_init_get_extra_info(info));
    duckdb_init_set_max_threads(info, static_cast<idx_t>(std::max(1, self->threads)));
  }

  // Fills `output` from the next unclaimed slice; called on DuckDB's threads.
  static void Scan(duckdb_function_info info, duckdb_data_chunk output) {
    auto* self = static_cast<Impl*>(duckdb_function_get_extra_info(info));
    const std::size_t index = self->next_slice.fetch_add(1);
    if (index >= self->slices.size()) {
      duckdb_data_chunk_set_size(output, 0);
      return;
    }
    const Slice& slice = self->slices[index];
    const ColumnBatch& batch = *slice.batch;
    const TableSpec& spec = batch.spec();
    const idx_t n = slice.rows.size();
    for (std::size_t c = 0; c < spec.columns.size(); ++c) {
      duckdb_vector vec = duckdb_data_chunk_get_vector(output, c);
      duckdb_vector_ensure_validity_writable(vec);
      std::uint64_t* validity = duckdb_vector_get_validity(vec);
      void* data = duckdb_vector_get_data(vec);
      const int col = static_cast<int>(c);
      const ColumnType type = spec.columns[c].type;
      for (idx_t i = 0; i < n; ++i) {
        const std::size_t r = slice.rows[i];
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
    duckdb_data_chunk_set_size(output, n);
  }

  Status Register() {
    duckdb_table_function tf = duckdb_create_table_function();
    duckdb_table_function_set_name(tf, "playlake_staged");
    duckdb_table_function_set_extra_info(tf, this, nullptr);
    duckdb_table_function_set_bind(tf, &Impl::Bind);
    duckdb_table_function_set_init(tf, &Impl::Init);
    duckdb_table_function_set_function(tf, &Impl::Scan);
    const bool failed = duckdb_register_table_function(conn, tf) == DuckDBError;
    duckdb_destroy_table_function(&tf);
    if (failed) return Fail(ErrorCode::kWarehouse, "cannot register DuckDB table function playlake_staged");
    return {};
  }
};

TableWriter::TableWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TableWriter::~TableWriter() = default;

Result<std::unique_ptr<TableWriter>> TableWriter::Create(const WriterOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->threads = options.threads > 0 ? options.threads : 1;
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
  // Row order is irrelevant for silver (readers sort); dropping it lets
  // DuckDB write Parquet in parallel without reordering.
  if (auto s = impl->Run("SET preserve_insertion_order = false", nullptr, "settings"); !s) {
    return tl::unexpected(s.error());
  }
  if (auto s = impl->Register(); !s) return tl::unexpected(s.error());
  return std::unique_ptr<TableWriter>(new TableWriter(std::move(impl)));
}

std::int64_t TableWriter::StagedRows(const TableSpec& spec) const {
  const auto it = impl_->staged.find(spec.name);
  return it == impl_->staged.end() ? 0 : it->second.rows;
}

void TableWriter::Stage(ColumnBatch batch, std::vector<std::uint8_t> keep) {
  if (batch.rows() == 0) return;
  Staged& staged = impl_->staged[std::string(batch.spec().name)];
  for (std::uint8_t k : keep) staged.rows += k;
  staged.batches.push_back(std::move(batch));
  staged.keeps.push_back(std::move(keep));
}

void TableWriter::Reset() { impl_->staged.clear(); }

std::vector<std::string> TableWriter::StagedPartitions(const TableSpec& spec) const {
  std::set<std::int64_t> days;
  const auto it = impl_->staged.find(spec.name);
  if (spec.partition < 0 || it == impl_->staged.end()) return {};
  for (std::size_t b = 0; b < it->second.batches.size(); ++b) {
    const ColumnBatch& batch = it->second.batches[b];
    for (std::size_t r = 0; r < batch.rows(); ++r) {
      if (it->second.keeps[b][r] && batch.IsValid(spec.partition, r)) days.insert(batch.Int(spec.partition, r));
    }
  }
  std::vector<std::string> values;
  for (std::int64_t d : days) {
    const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{d}}};
    values.push_back(fmt::format("{:04d}-{:02d}-{:02d}", int(ymd.year()), unsigned(ymd.month()),
                                 unsigned(ymd.day())));
  }
  return values;
}

Result<FlushResult> TableWriter::Flush(const TableSpec& spec, const std::string& folder,
                                       const std::string& file_stem,
                                       const std::vector<std::string>& existing) {
  FlushResult result;
  result.staged = StagedRows(spec);
  if (result.staged == 0) return result;
  const std::string key(spec.columns[spec.key].name);
  // Cut the staged rows into slices of one DuckDB vector each.
  Staged& staged = impl_->staged[std::string(spec.name)];
  impl_->slices.clear();
  const idx_t capacity = duckdb_vector_size();
  for (std::size_t b = 0; b < staged.batches.size(); ++b) {
    const auto& keep = staged.keeps[b];
    Slice slice{&staged.batches[b], {}};
    for (std::size_t r = 0; r < keep.size(); ++r) {
      if (!keep[r]) continue;
      slice.rows.push_back(static_cast<std::uint32_t>(r));
      if (slice.rows.size() == capacity) {
        impl_->slices.push_back(std::move(slice));
        slice = Slice{&staged.batches[b], {}};
      }
    }
    if (!slice.rows.empty()) impl_->slices.push_back(std::move(slice));
  }
  impl_->next_slice = 0;
  impl_->scanning = &spec;
  std::string select = "SELECT * FROM playlake_staged() s";
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
  const Status copied = impl_->Run(copy, &q.result, spec.name);
  impl_->slices.clear();
  impl_->staged.erase(std::string(spec.name));
  if (!copied) return tl::unexpected(copied.error());
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
  return result;
}


}  // namespace playlake::silver
