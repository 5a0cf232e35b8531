// TableWriter: writes typed column batches as Parquet files into the lake
// with DuckDB's COPY (DuckDB's Parquet writer, zstd).
//
// The batches reach DuckDB through a table function, `playlake_staged_<lane>()`,
// that fills DuckDB's data chunks straight from the batches on DuckDB's own
// worker threads (only the columns the query needs; text by reference, not
// copied): no intermediate DuckDB table, so no second copy and no storage
// compression of data written once.
// Partitioned tables are cut into their partitions here, and each partition
// is one plain COPY to its `event_date=…` folder: DuckDB's PARTITION_BY would
// buffer every row again and write the files one by one at the end of the
// query, on one thread.
// It is the only place in silver that talks to DuckDB's C API (table
// functions are not part of warehouse::Connection); when the warehouse
// adapter grows a bulk path, this file should move onto it.
//
// Ownership: owns its in-memory DuckDB; borrows the rows it writes.
// Thread safety: a writer has `lanes` connections; Writes on different lanes
// may run at the same time (silver's WriteQueue runs one thread per lane),
// one Write per lane at a time. Errors: kWarehouse with DuckDB's message;
// errors of WriteTarget::prepare_partition are passed on.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sources/column_batch.h"

namespace playlake::silver {

// Rows of one table waiting to be written: whole batches, with a flag per row
// saying whether the row is kept (deduplication drops rows by clearing it).
struct StagedTable {
  explicit StagedTable(const sources::TableSpec& spec) : spec(&spec) {}
  // Takes the batch. REQUIRES: keep.size() == batch.rows(); batch of `spec`.
  void Add(sources::ColumnBatch batch, std::vector<std::uint8_t> keep);

  const sources::TableSpec* spec;
  std::vector<sources::ColumnBatch> batches;
  std::vector<std::vector<std::uint8_t>> keeps;
  std::int64_t rows = 0;  // kept rows
};

struct WrittenFile {
  std::string path;   // absolute path DuckDB wrote (under the lake root)
  std::int64_t rows = 0;
};

struct FlushResult {
  std::vector<WrittenFile> files;
  std::int64_t staged = 0;   // rows handed to Write
  std::int64_t written = 0;  // rows in the files (the kept rows of staged)
};

// Where and how one Write puts its files.
struct WriteTarget {
  // Absolute folder of the table; partitioned tables get one file per
  // partition in `<folder>/<column>=<value>/`.
  std::string folder;
  // Makes the names unique: `<stem>.parquet`, or `<stem>.0.parquet` inside
  // each partition folder (the name DuckDB's PARTITION_BY would give).
  std::string file_stem;
  // Called with "event_date=2026-01-05" before a partition's file is
  // written, to create that folder.
  std::function<Status(const std::string& partition_folder)> prepare_partition;
};

struct WriterOptions {
  int threads = 0;           // DuckDB threads; 0: all cores
  int lanes = 1;             // connections that can write at the same time
  std::string memory_limit;  // e.g. "1GB"; empty: DuckDB's default
  int zstd_level = 3;        // Parquet zstd level (DuckDB's default is 3); 0: uncompressed
};

class TableWriter {
 public:
  static Result<std::unique_ptr<TableWriter>> Create(const WriterOptions& options);
  ~TableWriter();
  TableWriter(const TableWriter&) = delete;
  TableWriter& operator=(const TableWriter&) = delete;

  int lanes() const;

  // Writes the kept rows of `staged` to Parquet on connection `lane`. A file
  // that would hold no row is not left behind.
  // REQUIRES: 0 <= lane < lanes(); `staged` is not changed until Write returns.
  Result<FlushResult> Write(int lane, const StagedTable& staged, const WriteTarget& target);
  // Calls `each` with every non-NULL value of the text column `column` of
  // the Parquet `files` (only the values in `only`, when it is not empty),
  // streamed a chunk at a time, on a connection of its own (so while Write
  // runs on another thread).
  Status ReadColumn(const std::vector<std::string>& files, std::string_view column,
                    std::span<const std::string_view> only,
                    const std::function<void(std::string_view)>& each);

 private:
  struct Impl;
  explicit TableWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// DuckDB's name for a column type ("TIMESTAMPTZ", "VARCHAR", ...).
const char* SqlType(sources::ColumnType type);

// lake::SchemaFingerprint of the files a TableWriter writes for `spec`: its
// columns but the Hive partition column (a folder name, not in the files).
std::string FileSchemaFingerprint(const sources::TableSpec& spec);

// The folder name DuckDB's hive partitioning gives a DATE value
// (days since 1970-01-01): "event_date=2026-01-05".
std::string PartitionFolder(std::string_view column, std::int64_t days);

}  // namespace playlake::silver
