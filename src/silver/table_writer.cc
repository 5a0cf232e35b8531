#include "silver/table_writer.h"

#include <duckdb.h>
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>

#include "lake/manifest.h"
#include "warehouse/duckdb.h"

namespace playlake::silver {
namespace {

using sources::ColumnBatch;
using sources::ColumnType;
using sources::TableSpec;

duckdb_type TypeId(ColumnType t) {
  switch (t) {
    case ColumnType::kText:
      return DUCKDB_TYPE_VARCHAR;
    case ColumnType::kBlob:
      return DUCKDB_TYPE_BLOB;
    case ColumnType::kInt64:
      return DUCKDB_TYPE_BIGINT;
    case ColumnType::kDouble:
      return DUCKDB_TYPE_DOUBLE;
    case ColumnType::kBool:
      return DUCKDB_TYPE_BOOLEAN;
    case ColumnType::kTimestamp:
      return DUCKDB_TYPE_TIMESTAMP_TZ;
    case ColumnType::kDate:
      return DUCKDB_TYPE_DATE;
  }
  return DUCKDB_TYPE_VARCHAR;
}

std::string Quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "''";
    else
      out += c;
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
    case ColumnType::kText:
      return "VARCHAR";
    case ColumnType::kBlob:
      return "BLOB";
    case ColumnType::kInt64:
      return "BIGINT";
    case ColumnType::kDouble:
      return "DOUBLE";
    case ColumnType::kBool:
      return "BOOLEAN";
    case ColumnType::kTimestamp:
      return "TIMESTAMPTZ";
    case ColumnType::kDate:
      return "DATE";
  }
  return "VARCHAR";
}

std::string FileSchemaFingerprint(const sources::TableSpec& spec) {
  lake::FileColumns columns;
  for (std::size_t i = 0; i < spec.columns.size(); ++i) {
    if (static_cast<int>(i) == spec.partition) continue;
    columns.emplace_back(spec.columns[i].name, SqlType(spec.columns[i].type));
  }
  return lake::SchemaFingerprint(columns);
}

std::string PartitionFolder(std::string_view column, std::int64_t days) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  return fmt::format("{}={:04d}-{:02d}-{:02d}", column, int(ymd.year()), unsigned(ymd.month()),
                     unsigned(ymd.day()));
}

void StagedTable::Add(ColumnBatch batch, std::vector<std::uint8_t> keep) {
  if (batch.rows() == 0) return;
  for (std::uint8_t k : keep) rows += k;
  batches.push_back(std::move(batch));
  keeps.push_back(std::move(keep));
}

namespace {

// A unit of work for one call of the table function: up to one vector of
// kept rows of one batch.
struct Slice {
  const ColumnBatch* batch;
  std::vector<std::uint32_t> rows;
};

// The kept rows of one partition (or of an unpartitioned table), in slices.
struct Part {
  std::vector<Slice> slices;
  std::int64_t rows = 0;
  void Add(const ColumnBatch* batch, std::uint32_t row, std::size_t capacity) {
    if (slices.empty() || slices.back().batch != batch || slices.back().rows.size() == capacity) {
      slices.push_back(Slice{batch, {}});
      slices.back().rows.reserve(capacity);
    }
    slices.back().rows.push_back(row);
    ++rows;
  }
};

// Points a DuckDB string at `text` without copying it (DuckDB's own layout,
// public in duckdb.h: up to 12 bytes inline and zero padded, longer ones as
// length + 4-byte prefix + pointer). Safe here because the batches outlive
// the COPY, whose sink copies every value into its row-group buffers before
// the query ends; duckdb_vector_assign_string_element_len would copy each
// value into the vector's heap first (measured: ~7% of an ingest's CPU time).
void SetString(duckdb_string_t& out, std::string_view text) {
  const auto length = static_cast<std::uint32_t>(text.size());
  if (length <= sizeof(out.value.inlined.inlined)) {
    out.value.inlined.length = length;
    std::memset(out.value.inlined.inlined, 0, sizeof(out.value.inlined.inlined));
    if (length > 0) std::memcpy(out.value.inlined.inlined, text.data(), length);
  } else {
    out.value.pointer.length = length;
    std::memcpy(out.value.pointer.prefix, text.data(), sizeof(out.value.pointer.prefix));
    out.value.pointer.ptr = const_cast<char*>(text.data());
  }
}

constexpr std::int64_t kNullPartition = std::numeric_limits<std::int64_t>::min();

// Cuts the kept rows of `staged` by partition value (one part for an
// unpartitioned table, keyed kNullPartition).
std::map<std::int64_t, Part> CutIntoParts(const StagedTable& staged, std::size_t capacity) {
  std::map<std::int64_t, Part> parts;
  const int partition = staged.spec->partition;
  for (std::size_t b = 0; b < staged.batches.size(); ++b) {
    const ColumnBatch& batch = staged.batches[b];
    const auto& keep = staged.keeps[b];
    // Inputs are mostly in time order: consecutive rows usually share a day.
    std::int64_t last_value = 0;
    Part* last = nullptr;
    for (std::size_t r = 0; r < keep.size(); ++r) {
      if (!keep[r]) continue;
      std::int64_t value = kNullPartition;
      if (partition >= 0 && batch.IsValid(partition, r)) value = batch.Int(partition, r);
      if (last == nullptr || value != last_value) {
        last = &parts[value];
        last_value = value;
      }
      last->Add(&batch, static_cast<std::uint32_t>(r), capacity);
    }
  }
  return parts;
}

// One connection and its table function: one COPY at a time.
struct Lane {
  duckdb_connection conn = nullptr;
  std::string function;  // playlake_staged_<lane>
  int threads = 1;
  int zstd_level = 3;
  // The COPY running now: its table and slices, claimed by DuckDB's threads.
  const TableSpec* scanning = nullptr;
  const std::vector<Slice>* slices = nullptr;
  std::atomic<std::size_t> next_slice{0};

  ~Lane() {
    if (conn) duckdb_disconnect(&conn);
  }

  Status Run(const std::string& sql, duckdb_result* out, std::string_view what) {
    duckdb_result local{};
    duckdb_result* r = out ? out : &local;
    const bool failed = duckdb_query(conn, sql.c_str(), r) == DuckDBError;
    const std::string message = failed && duckdb_result_error(r) ? duckdb_result_error(r) : "";
    const bool io_error = failed && duckdb_result_error_type(r) == DUCKDB_ERROR_IO;
    if (!out) duckdb_destroy_result(&local);
    if (failed) {
      return tl::unexpected(
          warehouse::StatementError(io_error, fmt::format("DuckDB ({}): {}", what, message)));
    }
    return {};
  }

  static void Bind(duckdb_bind_info info) {
    auto* self = static_cast<Lane*>(duckdb_bind_get_extra_info(info));
    const TableSpec& spec = *self->scanning;
    for (const auto& c : spec.columns) {
      duckdb_logical_type type = duckdb_create_logical_type(TypeId(c.type));
      duckdb_bind_add_result_column(info, std::string(c.name).c_str(), type);
      duckdb_destroy_logical_type(&type);
    }
  }

  // The spec columns the query reads, in the order of the output chunk.
  struct Projection {
    std::vector<int> columns;
  };

  static void Init(duckdb_init_info info) {
    auto* self = static_cast<Lane*>(duckdb_init_get_extra_info(info));
    auto* projection = new Projection;  // owned by DuckDB: freed by the callback below
    const idx_t n = duckdb_init_get_column_count(info);
    const auto columns = static_cast<idx_t>(self->scanning->columns.size());
    for (idx_t i = 0; i < n; ++i) {
      const idx_t index = duckdb_init_get_column_index(info, i);
      // Anything else (a row id for count(*)) is left as DuckDB made it.
      projection->columns.push_back(index < columns ? static_cast<int>(index) : -1);
    }
    duckdb_init_set_init_data(info, projection,
                              [](void* p) { delete static_cast<Projection*>(p); });
    duckdb_init_set_max_threads(info, static_cast<idx_t>(std::max(1, self->threads)));
  }

  // Fills `output` from the next unclaimed slice; called on DuckDB's threads.
  static void Scan(duckdb_function_info info, duckdb_data_chunk output) {
    auto* self = static_cast<Lane*>(duckdb_function_get_extra_info(info));
    const auto& projection = *static_cast<Projection*>(duckdb_function_get_init_data(info));
    const std::size_t index = self->next_slice.fetch_add(1);
    if (index >= self->slices->size()) {
      duckdb_data_chunk_set_size(output, 0);
      return;
    }
    const Slice& slice = (*self->slices)[index];
    const ColumnBatch& batch = *slice.batch;
    const TableSpec& spec = batch.spec();
    const idx_t n = slice.rows.size();
    for (std::size_t c = 0; c < projection.columns.size(); ++c) {
      const int col = projection.columns[c];
      if (col < 0) continue;
      duckdb_vector vec = duckdb_data_chunk_get_vector(output, c);
      duckdb_vector_ensure_validity_writable(vec);
      std::uint64_t* validity = duckdb_vector_get_validity(vec);
      void* data = duckdb_vector_get_data(vec);
      // One loop per type; NULLs clear their bit of the validity mask.
      auto fill = [&](auto&& put) {
        for (idx_t i = 0; i < n; ++i) {
          const std::size_t r = slice.rows[i];
          if (batch.IsValid(col, r)) {
            put(i, r);
          } else {
            validity[i >> 6] &= ~(std::uint64_t{1} << (i & 63));
          }
        }
      };
      switch (spec.columns[col].type) {
        case ColumnType::kText:
        case ColumnType::kBlob: {
          auto* out = static_cast<duckdb_string_t*>(data);
          fill([&](idx_t i, std::size_t r) { SetString(out[i], batch.Text(col, r)); });
          break;
        }
        case ColumnType::kInt64:
        case ColumnType::kTimestamp: {
          auto* out = static_cast<std::int64_t*>(data);
          fill([&](idx_t i, std::size_t r) { out[i] = batch.Int(col, r); });
          break;
        }
        case ColumnType::kDate: {
          auto* out = static_cast<std::int32_t*>(data);
          fill([&](idx_t i, std::size_t r) {
            out[i] = static_cast<std::int32_t>(batch.Int(col, r));
          });
          break;
        }
        case ColumnType::kBool: {
          auto* out = static_cast<bool*>(data);
          fill([&](idx_t i, std::size_t r) { out[i] = batch.Int(col, r) != 0; });
          break;
        }
        case ColumnType::kDouble: {
          auto* out = static_cast<double*>(data);
          fill([&](idx_t i, std::size_t r) { out[i] = batch.Double(col, r); });
          break;
        }
      }
    }
    duckdb_data_chunk_set_size(output, n);
  }

  Status Register() {
    duckdb_table_function tf = duckdb_create_table_function();
    duckdb_table_function_set_name(tf, function.c_str());
    duckdb_table_function_set_extra_info(tf, this, nullptr);
    duckdb_table_function_set_bind(tf, &Lane::Bind);
    duckdb_table_function_set_init(tf, &Lane::Init);
    duckdb_table_function_set_function(tf, &Lane::Scan);
    duckdb_table_function_supports_projection_pushdown(tf, true);
    const bool failed = duckdb_register_table_function(conn, tf) == DuckDBError;
    duckdb_destroy_table_function(&tf);
    if (failed)
      return Fail(ErrorCode::kWarehouse, "cannot register DuckDB table function " + function);
    return {};
  }

  // COPYs the rows of `part` into the Parquet file `path`; returns the rows written.
  Result<std::int64_t> CopyPart(const TableSpec& spec, const Part& part, const std::string& path) {
    slices = &part.slices;
    next_slice = 0;
    scanning = &spec;
    std::string select = fmt::format("SELECT * FROM {}() s", function);
    if (spec.partition >= 0) {
      // Hive partitioning: the value is the folder's name, not a column of the file.
      select = fmt::format("SELECT * EXCLUDE ({}) FROM {}() s", spec.columns[spec.partition].name,
                           function);
    }
    const std::string compression =
        zstd_level > 0 ? fmt::format("zstd, COMPRESSION_LEVEL {}", zstd_level) : "uncompressed";
    QueryResult q;
    const Status copied = Run(fmt::format("COPY ({}) TO {} (FORMAT parquet, COMPRESSION {})",
                                          select, Quote(path), compression),
                              &q.result, spec.name);
    slices = nullptr;
    if (!copied) return tl::unexpected(copied.error());
    const std::int64_t written = duckdb_value_int64(&q.result, 0, 0);
    if (written == 0) std::remove(path.c_str());  // DuckDB writes a file even for no row
    return written;
  }
};

// Binds `values` as a VARCHAR[] to parameter 1 of `prepared`.
bool BindTextList(duckdb_prepared_statement prepared, std::span<const std::string_view> values) {
  std::vector<duckdb_value> items;
  items.reserve(values.size());
  for (std::string_view v : values) {
    items.push_back(duckdb_create_varchar_length(v.data(), v.size()));
  }
  duckdb_logical_type varchar = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_value list = duckdb_create_list_value(varchar, items.data(), items.size());
  const bool bound = list != nullptr && duckdb_bind_value(prepared, 1, list) == DuckDBSuccess;
  if (list != nullptr) duckdb_destroy_value(&list);
  duckdb_destroy_logical_type(&varchar);
  for (duckdb_value& item : items) duckdb_destroy_value(&item);
  return bound;
}

}  // namespace

struct TableWriter::Impl {
  duckdb_database db = nullptr;
  std::vector<std::unique_ptr<Lane>> lanes;

  ~Impl() {
    lanes.clear();  // connections before the database
    if (db) duckdb_close(&db);
  }
};

TableWriter::TableWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
TableWriter::~TableWriter() = default;

int TableWriter::lanes() const { return static_cast<int>(impl_->lanes.size()); }

Result<std::unique_ptr<TableWriter>> TableWriter::Create(const WriterOptions& options) {
  auto impl = std::make_unique<Impl>();
  duckdb_config config = nullptr;
  duckdb_create_config(&config);
  if (options.threads > 0)
    duckdb_set_config(config, "threads", std::to_string(options.threads).c_str());
  if (!options.memory_limit.empty())
    duckdb_set_config(config, "memory_limit", options.memory_limit.c_str());
  char* error = nullptr;
  const duckdb_state state = duckdb_open_ext(nullptr, &impl->db, config, &error);
  duckdb_destroy_config(&config);
  if (state == DuckDBError) {
    std::string message = error ? error : "unknown error";
    duckdb_free(error);
    return Fail(ErrorCode::kWarehouse, "cannot start DuckDB for silver: " + message);
  }
  for (int i = 0; i < std::max(1, options.lanes); ++i) {
    auto lane = std::make_unique<Lane>();
    lane->threads = options.threads > 0 ? options.threads : 1;
    lane->zstd_level = options.zstd_level;
    lane->function = fmt::format("playlake_staged_{}", i);
    if (duckdb_connect(impl->db, &lane->conn) == DuckDBError) {
      return Fail(ErrorCode::kWarehouse, "cannot connect to DuckDB for silver");
    }
    // Row order is irrelevant for silver (readers sort); dropping it lets
    // DuckDB write Parquet in parallel without reordering.
    if (auto s = lane->Run("SET preserve_insertion_order = false", nullptr, "settings"); !s) {
      return tl::unexpected(s.error());
    }
    if (auto s = lane->Register(); !s) return tl::unexpected(s.error());
    impl->lanes.push_back(std::move(lane));
  }
  return std::unique_ptr<TableWriter>(new TableWriter(std::move(impl)));
}

Result<FlushResult> TableWriter::Write(int lane, const StagedTable& staged,
                                       const WriteTarget& target) {
  FlushResult result;
  result.staged = staged.rows;
  if (staged.rows == 0) return result;
  const TableSpec& spec = *staged.spec;
  const auto parts = CutIntoParts(staged, duckdb_vector_size());
  for (const auto& [value, part] : parts) {
    std::string path;
    if (spec.partition < 0) {
      path = target.folder + "/" + target.file_stem + ".parquet";
    } else {
      const std::string column(spec.columns[spec.partition].name);
      const std::string sub =
          value == kNullPartition ? column + "=NULL" : PartitionFolder(column, value);
      if (target.prepare_partition) {
        if (auto s = target.prepare_partition(sub); !s) return tl::unexpected(s.error());
      }
      path = fmt::format("{}/{}/{}.0.parquet", target.folder, sub, target.file_stem);
    }
    auto written = impl_->lanes[lane]->CopyPart(spec, part, path);
    if (!written) return tl::unexpected(written.error());
    result.written += *written;
    if (*written > 0) result.files.push_back(WrittenFile{path, *written});
  }
  return result;
}

Status TableWriter::ReadColumn(const std::vector<std::string>& files, std::string_view column,
                               std::span<const std::string_view> only,
                               const std::function<void(std::string_view)>& each) {
  if (files.empty()) return {};
  std::string list;
  for (const auto& f : files) list += (list.empty() ? "" : ", ") + Quote(f);
  std::string sql = fmt::format("SELECT {} FROM read_parquet([{}])", column, list);
  if (!only.empty()) sql += fmt::format(" WHERE {} IN (SELECT unnest($1))", column);
  duckdb_connection conn = nullptr;
  duckdb_prepared_statement prepared = nullptr;
  duckdb_pending_result pending = nullptr;
  duckdb_result result{};
  bool have_result = false;
  std::string error;
  bool io_error = false;
  if (duckdb_connect(impl_->db, &conn) == DuckDBError) {
    error = "cannot connect";
  } else if (duckdb_prepare(conn, sql.c_str(), &prepared) == DuckDBError) {
    error = duckdb_prepare_error(prepared) ? duckdb_prepare_error(prepared) : "prepare failed";
  } else if (!only.empty() && !BindTextList(prepared, only)) {
    error = "cannot bind the keys looked for";
  } else if (duckdb_pending_prepared_streaming(prepared, &pending) == DuckDBError) {
    error = duckdb_pending_error(pending) ? duckdb_pending_error(pending) : "pending failed";
  } else {
    // Streamed a chunk at a time: a day's keys are never all in DuckDB's memory.
    have_result = true;
    if (duckdb_execute_pending(pending, &result) == DuckDBError) {
      error = duckdb_result_error(&result) ? duckdb_result_error(&result) : "execute failed";
      io_error = duckdb_result_error_type(&result) == DUCKDB_ERROR_IO;
    } else {
      while (duckdb_data_chunk chunk = duckdb_fetch_chunk(result)) {
        const idx_t n = duckdb_data_chunk_get_size(chunk);
        duckdb_vector vector = duckdb_data_chunk_get_vector(chunk, 0);
        auto* values = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vector));
        std::uint64_t* validity = duckdb_vector_get_validity(vector);
        for (idx_t i = 0; i < n; ++i) {
          if (validity != nullptr && !duckdb_validity_row_is_valid(validity, i)) continue;
          each(std::string_view(duckdb_string_t_data(&values[i]), duckdb_string_t_length(values[i])));
        }
        duckdb_destroy_data_chunk(&chunk);
      }
    }
  }
  if (have_result) duckdb_destroy_result(&result);
  if (pending) duckdb_destroy_pending(&pending);
  if (prepared) duckdb_destroy_prepare(&prepared);
  if (conn) duckdb_disconnect(&conn);
  if (!error.empty()) {
    return tl::unexpected(warehouse::StatementError(
        io_error, fmt::format("DuckDB (reading the keys of {} committed files): {}", files.size(),
                              error)));
  }
  return {};
}

}  // namespace playlake::silver
