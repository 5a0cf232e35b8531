// Compactor: merges the small committed silver files of a table's partition
// into files of about a target size, through the lake's commit protocol
// (docs/lake-format.md, "Compaction"). `playlake compact` runs one pass;
// `playlake stream` runs passes in the background.
//
//   Compactor compactor(lake, {.target_bytes = 128 << 20});
//   auto summary = compactor.Run();   // every partition with enough small files
//
// A partition folder (silver/plays/event_date=2026-01-05, or a whole
// unpartitioned table) is compacted when it holds at least `min_files` small
// files (under a quarter of the target). Its small files, in commit order, are
// cut into runs of about target_bytes; each run becomes one Parquet file with
// the same rows (and columns: batch_id and the rest), written under a fresh
// name, synced, then published with ONE silver manifest entry (version 2)
// whose `replaces` lists the N files it supersedes: readers see the N old
// files or the M new ones, never both or neither. The publication happens
// under the lake's writer lock after checking that every replaced file is
// still live, so a concurrent compaction of the same files loses cleanly and
// the stream's own commits wait only for that check and one manifest write.
// The entry's id is a hash of the replaced keys: a re-run after a crash
// publishes nothing twice. Crash points: "compact-written", "compact-synced",
// "compact-committed". Files of a crashed attempt stay invisible and are
// removed by `playlake vacuum`; replaced files are removed by
// Lake::RemoveReplaced once no reader can still be using them.
// Bronze is never compacted (it is the record of what came in), and the
// original batches' manifests stay: their Kafka offset ranges, input paths
// and batch ids are unchanged.
//
// Ownership: borrows the lake. Thread safety: one Run at a time per
// Compactor; Runs of several Compactors or processes are safe (the lock).
// Errors: kIo/kDiskFull from storage or DuckDB, kData for a corrupt manifest
// or a merged file whose row count differs from its inputs (nothing is
// published then).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lake/lake.h"

namespace playlake::stream {

struct CompactOptions {
  std::uint64_t target_bytes = std::uint64_t{128} << 20;  // size of a merged file
  int min_files = 10;                    // small files a partition needs before it is compacted
  int threads = 1;                       // DuckDB threads
  int zstd_level = 3;                    // Parquet zstd level of merged files
  std::function<bool()> stop_requested;  // checked between partitions
};

// One partition's compaction: N files of `table` in `folder` → M files.
struct CompactionPlan {
  std::string table;
  std::string folder;                             // storage key of the partition folder
  std::vector<std::vector<lake::DataFile>> runs;  // each run becomes one file
  std::int64_t files() const;
};

// What one commit did (also the progress report of Run).
struct PartitionResult {
  std::string table;
  std::string folder;
  std::string batch_id;    // the compaction entry's id
  bool committed = false;  // false: already done, or another compaction won
  std::int64_t files_before = 0;
  std::int64_t files_after = 0;
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
  std::int64_t rows = 0;
  double seconds = 0;
};

struct CompactionSummary {
  std::int64_t partitions = 0;  // committed compactions
  std::int64_t files_before = 0;
  std::int64_t files_after = 0;
  std::uint64_t bytes_before = 0;
  std::uint64_t bytes_after = 0;
  std::int64_t rows = 0;
  double seconds = 0;
  void Add(const PartitionResult& partition);
};

// The compactions a layer's live files (lake::LiveFiles, in commit order)
// call for under `options`, one per partition folder, partitions in key order.
std::vector<CompactionPlan> PlanCompactions(std::vector<lake::DataFile> live,
                                            const CompactOptions& options);

// The id of the compaction entry replacing `keys` (any order).
std::string CompactionBatchId(std::vector<std::string> keys);

class Compactor {
 public:
  Compactor(lake::Lake& lake, CompactOptions options);

  // One pass: plans from the silver commit log and commits each plan;
  // `on_partition` (optional) hears of each one as it ends.
  Result<CompactionSummary> Run(
      const std::function<void(const PartitionResult&)>& on_partition = nullptr);
  // Compacts one plan (from PlanCompactions on this lake).
  Result<PartitionResult> Compact(const CompactionPlan& plan);

 private:
  lake::Lake& lake_;
  CompactOptions options_;
  lake::LiveFileSet live_{"silver"};  // read incrementally: a pass every few seconds
};

}  // namespace playlake::stream
