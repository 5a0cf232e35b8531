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

// Messages of one partition: the batch covers offsets first_offset..last_offset
// and holds the messages at lines_offset..last_offset, one a line, with no gap
// (offsets before lines_offset hold no message: transaction markers, compacted
// away). The worker cuts a batch at a gap in the offsets.
struct PartitionBatch {
  std::string topic;
  int partition = 0;
  std::int64_t first_offset = 0;
  std::int64_t lines_offset = 0;
  std::int64_t last_offset = -1;
  std::string lines;  // each message's value on one line (see AppendMessage)
  std::int64_t messages() const { return last_offset - lines_offset + 1; }
};

// Appends a message's value as one line: line breaks become spaces (JSON
// allows them only between tokens), and an empty message becomes `null`,
// which silver quarantines, so every offset keeps its line.
void AppendMessage(std::string& lines, std::string_view value);

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

 private:
  Status Catchup();
  Result<CommitResult> CommitLocked(const PartitionBatch& batch);
  Status Prepare();

  lake::Lake& lake_;
  CommitterOptions options_;
  std::unique_ptr<silver::TableWriter> writer_;
  std::optional<silver::SilverBatch::Committed> committed_;
  OffsetRecord record_;
};

// "kafka:TOPIC/PARTITION": the input path of a stream batch (lineage and
// quarantine rows' source_file).
std::string KafkaInputPath(const std::string& topic, int partition);
// The id of the batch of (topic, partition, first, last).
std::string KafkaBatchId(const std::string& topic, int partition, std::int64_t first,
                         std::int64_t last);

}  // namespace playlake::stream
