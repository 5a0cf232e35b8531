// TableWriter: keeps typed column batches in memory and writes them as
// Parquet files into the lake with DuckDB's COPY (DuckDB's Parquet writer, zstd).
//
// The batches reach DuckDB through a table function, `playlake_staged(t)`,
// that fills DuckDB's data chunks straight from the batches on DuckDB's own
// worker threads: no intermediate DuckDB table, so no second copy and no
// storage compression of data that is written once.
// It is the only place in silver that talks to DuckDB's C API (table
// functions are not part of warehouse::Connection); when the warehouse
// adapter grows a bulk path, this file should move onto it.
//
// Ownership: owns its in-memory DuckDB and the staged batches. Thread safety:
// none (one writer per ingest). Errors: kWarehouse with DuckDB's message.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "sources/column_batch.h"

namespace playlake::silver {

struct WrittenFile {
  std::string path;   // absolute path DuckDB wrote (under the lake root)
  std::int64_t rows = 0;
};

struct FlushResult {
  std::vector<WrittenFile> files;
  std::int64_t staged = 0;   // rows handed to Flush
  std::int64_t written = 0;  // rows in the files (staged minus rows already in the lake)
};

struct WriterOptions {
  int threads = 0;           // DuckDB threads; 0: all cores
  std::string memory_limit;  // e.g. "1GB"; empty: DuckDB's default
};

class TableWriter {
 public:
  static Result<std::unique_ptr<TableWriter>> Create(const WriterOptions& options);
  ~TableWriter();
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  // Stages the rows of `batch` whose `keep` flag is set (takes the batch).
  // REQUIRES: keep.size() == batch.rows().
  void Stage(sources::ColumnBatch batch, std::vector<std::uint8_t> keep);
  std::int64_t StagedRows(const sources::TableSpec& spec) const;

  // Writes the staged rows of `spec` to Parquet and empties the stage.
  // `folder`: absolute folder of the table (files go to event_date=… folders
  // below it for partitioned tables); `file_stem` makes the names unique.
  // Rows whose key already occurs in `existing` (committed Parquet files of
  // the same table) are not written: that is how a record re-delivered in a
  // later batch still makes only one row.
  Result<FlushResult> Flush(const sources::TableSpec& spec, const std::string& folder,
                            const std::string& file_stem,
                            const std::vector<std::string>& existing);

  // Drops every staged row (after a failed input, before the next one).
  void Reset();

  // The distinct partition values ("2018-11-01") of the staged rows.
  std::vector<std::string> StagedPartitions(const sources::TableSpec& spec) const;

 private:
  struct Impl;
  explicit TableWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// DuckDB's name for a column type ("TIMESTAMPTZ", "VARCHAR", ...).
const char* SqlType(sources::ColumnType type);

}  // namespace playlake::silver
