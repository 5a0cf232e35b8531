// StreamWorker: consumes a Kafka source and commits micro-batches to the lake
// with an exactly-once effect (docs/streaming.md). `playlake stream` runs one.
//
//   StreamWorker worker(lake, source, options);
//   Status s = worker.Run();   // until options.stop_requested() says stop
//
// Each assigned partition collects messages into a batch, committed through
// BatchCommitter when it reaches kafka.flush_bytes, when its first message is
// kafka.flush_interval_ms old (an idle partition flushes too; one with a
// backlog on the brokers behind it waits up to ten intervals, so a backlog
// is read in large batches), or, the largest first, when all batches together
// pass kafka.max_buffer_bytes.
// Offsets go to Kafka only after the lake commit (crash points
// "offsets-committing" and "offsets-committed"). On assignment the worker
// seeks every partition to the lake's record, not Kafka's; a partition the
// lake holds nothing of starts at the group's committed offset, else at the
// earliest. Offsets that come with no message are told apart by the
// brokers' low watermark (the first offset they hold, from the fetch that
// skipped them): those below it were deleted (retention, compaction) before
// they were read and are never taken as read: the next batch covers them and
// silver quarantines them as one row (or, with kafka.on_offset_gap: stop,
// Run fails with kData); those above it hold no message (transaction
// markers, aborted or compacted messages): an empty line each in the batch,
// no loss, no cut. Brokers whose offsets end before the lake's record (the topic was
// recreated) make Run fail with kData. auto.offset.reset is always
// "earliest". A refused batch (another worker committed that range: this one
// is a zombie) is dropped and the partition re-sought to the lake's record.
// On stop the batches in flight are committed and the consumer leaves the
// group.
//
// Memory: the batches hold at most kafka.max_buffer_bytes (plus one message;
// two emptied batch buffers are kept for reuse),
// librdkafka's prefetch queue at most queued.max.messages.kbytes (16 MiB by
// default here), and the dedupe keys of committed plays at most
// kafka.dedupe_budget_bytes (256 MiB by default; more only while one event day alone
// holds more: 16 to 32 bytes a play of that day). Run keeps up to
// 64 MiB of the memory commits free in the process (glibc's mallopt) rather
// than give it back to the kernel and fault it in again at the next commit.
//
// Ownership: borrows the lake. Thread safety: Run on one thread.
// Errors: kConfig for refused Kafka properties, kIo for a fatal consumer
// error, kData for offsets gone from the brokers (above), the lake's errors. Broker outages are
// retried, not errors.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "config/project.h"
#include "lake/lake.h"
#include "stream/batch_commit.h"

namespace playlake::stream {

struct WorkerOptions {
  int threads = 1;                       // silver parser threads
  std::function<bool()> stop_requested;  // polled about every 100 ms
};

struct WorkerStats {
  std::int64_t batches = 0;      // committed to the lake
  std::int64_t messages = 0;     // in committed batches
  std::int64_t refused = 0;      // batches refused by the lake's record
  std::int64_t quarantined = 0;  // quarantine rows in committed batches
  std::int64_t lost = 0;         // offsets the brokers deleted before they were read
};

class StreamWorker {
 public:
  StreamWorker(lake::Lake& lake, config::SourceConfig source, WorkerOptions options);
  ~StreamWorker();
  StreamWorker(const StreamWorker&) = delete;
  StreamWorker& operator=(const StreamWorker&) = delete;

  Status Run();
  const WorkerStats& stats() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace playlake::stream
