// BatchCommitter: commits one partition's micro-batch of Kafka messages to
// the lake through the bronze → silver commit protocol, fenced by the lake's
// offset record.
//
//   BatchCommitter committer(lake, options);
//   auto result = committer.Commit(batch);   // kCommitted, kAlreadyCommitted or kRefused
//
// A batch is identified by (topic, partition, first offset, last offset): its
// id is a hash of them, so replaying the same messages commits nothing twice.
// Under the lake's writer lock it (1) reads the offset record and refuses a
// batch that does not start where the partition's last committed range ended
// (a zombie: a worker that lost the partition and woke up), (2) writes the
// messages to bronze (one message a line, zstd) and commits the bronze
// manifest, (3) builds silver from the same bytes and commits the silver
// manifest, which records the range. Crash points (lake::FaultHooks) are the
// lake's: bronze-written … silver-committed.
//
// Ownership: borrows the lake, which must outlive it. Thread safety: none.
// Errors: kIo/kDiskFull from storage, kData for a corrupt manifest,
// kWarehouse from the Parquet writer. A refused batch is not an error.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "lake/lake.h"
#include "silver/batch_processor.h"
#include "silver/table_writer.h"
#include "sources/format.h"
#include "stream/offset_record.h"

namespace playlake::stream {

// Messages of one partition: the batch covers offsets first_offset..last_offset;
// the brokers deleted first_offset..lines_offset-1 before they were read (silver
// quarantines them as one row), and lines_offset..last_offset are one line
// each: a message's value, or an empty line for an offset that holds no
// message (a transaction marker, an aborted or compacted message), which
// silver skips. So line N is offset lines_offset + N - 1.
struct PartitionBatch {
  std::string topic;
  int partition = 0;
  std::int64_t first_offset = 0;
  std::int64_t lines_offset = 0;
  std::int64_t last_offset = -1;
  std::string lines;       // see AppendMessage and AppendEmptyOffsets
  std::int64_t empty = 0;  // empty lines: offsets that hold no message
  std::int64_t messages() const { return last_offset - lines_offset + 1 - empty; }
};

// Appends a message's value as one line: line breaks become spaces (JSON
// allows them only between tokens), and an empty message becomes `null`,
// which silver quarantines, so every offset keeps its line.
void AppendMessage(std::string& lines, std::string_view value);
// Appends `n` empty lines: offsets that hold no message, so that the next
// message's line is still its offset.
void AppendEmptyOffsets(PartitionBatch& batch, std::int64_t n);
// Hands the pages of `buffer` past its first `keep` bytes (and past its
// contents) back to the system; its capacity stays. For emptied batch
// buffers that later batches reuse: those would otherwise keep every page an
// earlier, fuller batch filled.
void DropPagesPast(std::string& buffer, std::size_t keep);

// Offsets from..to-1 came with no message, and `low` is the first offset the
// brokers hold (their low watermark, as of the fetch that skipped them; -1:
// not known). Those below it were deleted before they were read; the others
// hold no message (a transaction marker, an aborted or compacted message) and
// are no loss. Returns the end of the deleted ones: from..result-1 (`to` when
// `low` is not known: counted as lost rather than passed over).
std::int64_t DeletedUntil(std::int64_t from, std::int64_t to, std::int64_t low);

enum class CommitOutcome {
  kCommitted,         // in bronze and silver; the range is on record
  kAlreadyCommitted,  // the same batch was committed before (a replay)
  kRefused,           // does not start where the lake's record ends: nothing written
};
const char* CommitOutcomeName(CommitOutcome outcome);

struct CommitResult {
  CommitOutcome outcome = CommitOutcome::kRefused;
  std::string batch_id;
  silver::SilverStats stats;  // kCommitted only
  std::string why;            // kRefused: the record and the batch's start
};

struct CommitterOptions {
  std::string source;  // sources[].name: the bronze source folder
  sources::Format format = sources::Format::kPlaylake;
  int threads = 1;     // parser threads
  int zstd_level = 1;  // bronze
  int parquet_zstd_level = 1;
  // Memory for the keys of committed plays read back for dedupe, by event
  // day (see silver::KeyIndex): past it, the least recently used days are
  // dropped and read again from their files if a batch touches them.
  std::size_t key_budget_bytes = silver::KeyIndex::kDefaultBudgetBytes;
};

class BatchCommitter {
 public:
  // The Parquet writer is created on the first commit.
  BatchCommitter(lake::Lake& lake, CommitterOptions options);
  ~BatchCommitter();

  // REQUIRES: batch.messages() > 0 and batch.lines holds that many lines.
  Result<CommitResult> Commit(const PartitionBatch& batch);
  // Reads the lake's record (under the writer lock, after finishing silver
  // for any stream batch a crash left in bronze only). Called on assignment.
  Status Refresh();
  const OffsetRecord& record() const { return record_; }
  // The dedupe keys (empty before the first Refresh or Commit).
  const silver::KeyIndex* keys() const { return committed_ ? &committed_->keys : nullptr; }

 private:
  Status Catchup();
  // Under the writer lock (on S3 a lease, which the storage confirms before
  // each manifest is published: see S3Storage).
  Result<CommitResult> CommitLocked(const PartitionBatch& batch);
  Status Prepare();

  lake::Lake& lake_;
  CommitterOptions options_;
  std::unique_ptr<silver::TableWriter> writer_;
  // After writer_: its writer thread stops before the writer goes.
  silver::SilverBatch::Reusable reuse_;
  std::optional<silver::SilverBatch::Committed> committed_;
  OffsetRecord record_;
  // The writer lock's hold (WriterLock::Mark) after which record_ and
  // committed_ were last up to date; empty when they may not be.
  std::string mark_;
};

// "kafka:TOPIC/PARTITION": the input path of a stream batch (lineage and
// quarantine rows' source_file).
std::string KafkaInputPath(const std::string& topic, int partition);
// The id of the batch of (topic, partition, first, last).
std::string KafkaBatchId(const std::string& topic, int partition, std::int64_t first,
                         std::int64_t last);

}  // namespace playlake::stream
