#include "stream/worker.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <librdkafka/rdkafkacpp.h>
#include <malloc.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>

#include "stream/kafka_config.h"

namespace playlake::stream {
namespace {

using Clock = std::chrono::steady_clock;
using PartitionKey = std::pair<std::string, int>;

// FlushDue looks at the batches' ages at most this often (not per message).
constexpr auto kScanEvery = std::chrono::milliseconds(5);
// A batch with a backlog behind it waits at most this many flush intervals.
constexpr int kBacklogIntervals = 10;
// Emptied batch buffers kept for reuse.
constexpr std::size_t kSpareBuffers = 2;
// Bronze's zstd level: it is read only to rebuild silver; -3 compresses plays
// ~3.6x instead of level 1's ~4.9x for about 5% less of the worker's CPU.
constexpr int kBronzeZstdLevel = -3;
// Silver's Parquet pages are written uncompressed (0): the compactor rewrites
// a partition's small files with zstd once it holds compact_min_files of
// them, so zstd at flush time was paid twice; without it the worker commits
// 9 % more events per CPU second (bench/stream.sh), its files about 2.5
// times as large until they are compacted.
constexpr int kSilverParquetZstdLevel = 0;
// glibc's largest M_MMAP_THRESHOLD on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX).
constexpr int kMaxMmapThreshold = 32 << 20;
// A batch's buffer is reserved for flush_bytes plus this much (its last message;
// a longer one grows it).
constexpr std::size_t kBatchSlack = 64 << 10;
// Offsets with no message (not deleted) kept as empty lines, at most this many
// in a row; a longer run cuts the batch (or, at its start, is recorded as deleted).
constexpr std::int64_t kMaxEmptyLines = 1 << 20;

// Leaves the group, waiting for the brokers at most kCloseWait: with them
// gone, librdkafka's close waits minutes for them. Nothing rests on the
// leave: every batch is in the lake, whose record is where the next owner of
// a partition starts; without it the group moves on at its session timeout.
constexpr auto kCloseWait = std::chrono::seconds(5);

void CloseConsumer(std::unique_ptr<RdKafka::KafkaConsumer>& consumer) {
  std::unique_ptr<RdKafka::Queue> queue(RdKafka::Queue::create(consumer.get()));
  std::unique_ptr<RdKafka::Error> error(consumer->close(queue.get()));
  const auto deadline = Clock::now() + kCloseWait;
  while (!error && !consumer->closed() && Clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> event(queue->consume(100));  // serves the rebalance callback
  }
  if (!error && consumer->closed()) return;
  spdlog::warn(
      "stream: stopping without leaving the consumer group ({}); the group reassigns the "
      "partitions at its session timeout",
      error ? error->str()
            : fmt::format("the brokers did not answer within {} s",
                          std::chrono::duration_cast<std::chrono::seconds>(kCloseWait).count()));
  // Destroying the handle waits for what is queued for the brokers (the last
  // offset commits) up to the session timeout: it is left to the process's exit.
  queue.reset();
  (void)consumer.release();
}

// A partition this worker owns: where it stands and the batch it collects.
struct Partition {
  std::optional<std::int64_t> position;  // the offset the next batch covers from
  PartitionBatch batch;                  // batch.lines empty: nothing pending
  Clock::time_point started;             // when the batch got its first message
  bool backwards_checked = false;        // the brokers' offsets were checked since a read
};

}  // namespace

struct StreamWorker::State : public RdKafka::RebalanceCb {
  State(lake::Lake& lake, config::SourceConfig source, WorkerOptions options)
      : lake(lake),
        source(std::move(source)),
        options(std::move(options)),
        committer(lake, CommitterOptions{
                            this->source.name, *sources::ParseFormat(this->source.format),
                            this->options.threads, kBronzeZstdLevel, kSilverParquetZstdLevel,
                            static_cast<std::size_t>(this->source.kafka->dedupe_budget_bytes)}) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override;
  Status Assign(RdKafka::KafkaConsumer& consumer,
                std::vector<RdKafka::TopicPartition*>& partitions);
  Status Add(const RdKafka::Message& message);
  std::int64_t LowWatermark(const PartitionKey& key);
  Status CheckBackwards(const PartitionKey& key, Partition& p, std::int64_t offset);
  Status Flush(const PartitionKey& key);
  Status FlushDue(bool all);
  bool Behind(const PartitionKey& key, const Partition& p) const;

  lake::Lake& lake;
  config::SourceConfig source;
  WorkerOptions options;
  BatchCommitter committer;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::map<PartitionKey, Partition> owned;
  std::optional<Error> error;  // from the rebalance callback
  WorkerStats stats;
  std::int64_t buffered = 0;       // bytes of lines in all batches
  std::vector<std::string> spare;  // emptied batch buffers, reused (no regrowth, no page faults)
  Clock::time_point next_scan{};   // FlushDue looks at the batches' ages from then
  bool stopping = false;           // Kafka's offsets go asynchronously (CloseConsumer waits)
};

StreamWorker::StreamWorker(lake::Lake& lake, config::SourceConfig source, WorkerOptions options)
    : state_(std::make_unique<State>(lake, std::move(source), std::move(options))) {}
StreamWorker::~StreamWorker() = default;
const WorkerStats& StreamWorker::stats() const { return state_->stats; }

void StreamWorker::State::rebalance_cb(RdKafka::KafkaConsumer* c, RdKafka::ErrorCode err,
                                       std::vector<RdKafka::TopicPartition*>& partitions) {
  if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
    if (auto s = Assign(*c, partitions); !s && !error) error = s.error();
    return;
  }
  // Revoked: what is in flight is committed while this worker still owns it
  // (if it no longer does, the lake refuses the batch).
  for (const auto* tp : partitions) {
    const PartitionKey key{tp->topic(), tp->partition()};
    if (auto s = Flush(key); !s && !error) error = s.error();
    owned.erase(key);
  }
  c->unassign();
}

Status StreamWorker::State::Assign(RdKafka::KafkaConsumer& c,
                                   std::vector<RdKafka::TopicPartition*>& partitions) {
  auto refreshed = committer.Refresh();
  for (auto* tp : partitions) {
    const auto next =
        refreshed ? committer.record().Next(tp->topic(), tp->partition()) : std::nullopt;
    tp->set_offset(next ? *next : RdKafka::Topic::OFFSET_STORED);
    owned[{tp->topic(), tp->partition()}] = Partition{next, {}, {}};
    spdlog::info("stream: assigned {} from {}", KafkaInputPath(tp->topic(), tp->partition()),
                 next ? fmt::format("offset {} (the lake's record)", *next)
                      : std::string("the group's offset (the lake holds none of it)"));
  }
  c.assign(partitions);
  if (!refreshed) return tl::unexpected(refreshed.error());
  return {};
}

Status StreamWorker::State::Add(const RdKafka::Message& m) {
  const PartitionKey key{m.topic_name(), m.partition()};
  auto it = owned.find(key);
  if (it == owned.end()) return {};  // revoked since it was fetched
  Partition& p = it->second;
  if (p.batch.lines.empty() && p.position && m.offset() < *p.position) {
    return CheckBackwards(key, p, m.offset());  // in the lake, unless the offsets went back
  }
  p.backwards_checked = false;
  if (!p.batch.lines.empty() && m.offset() != p.batch.last_offset + 1) {
    // A gap inside the batch: offsets that hold no message become empty
    // lines; deleted ones (or a long run) start a new batch, which records them.
    const std::int64_t from = p.batch.last_offset + 1;
    const std::int64_t empty = m.offset() - from;
    if (empty <= kMaxEmptyLines && DeletedUntil(from, m.offset(), LowWatermark(key)) == from) {
      AppendEmptyOffsets(p.batch, empty);
      buffered += empty;
    } else if (auto s = Flush(key); !s) {
      return s;
    }
  }
  std::int64_t lines_offset = m.offset();
  if (p.batch.lines.empty() && p.position && *p.position < m.offset()) {
    // Offsets position..offset-1 came with no message: those the brokers
    // deleted (retention, compaction) before they were read are never taken
    // as read: the batch covers them and silver quarantines them
    // (SilverBatch::QuarantineOffsetGap); the others are empty lines.
    lines_offset = DeletedUntil(*p.position, m.offset(), LowWatermark(key));
    if (m.offset() - lines_offset > kMaxEmptyLines) lines_offset = m.offset();
    if (lines_offset > *p.position) {
      const std::string what = fmt::format(
          "{}: offsets {}..{} ({} messages) were deleted by the broker before they were read",
          KafkaInputPath(key.first, key.second), *p.position, lines_offset - 1,
          lines_offset - *p.position);
      if (source.kafka->stop_on_offset_gap) {
        return Fail(ErrorCode::kData, what +
                                          "; stopping (kafka.on_offset_gap: stop): the lake "
                                          "holds offsets up to " +
                                          std::to_string(*p.position - 1));
      }
      spdlog::error("stream: {}; recorded in quarantine, going on from offset {}", what,
                    m.offset());
      stats.lost += lines_offset - *p.position;
    }
  }
  const std::size_t before = p.batch.lines.size();
  if (p.batch.lines.empty()) {
    // Room for a whole batch up front: growing by doubling copied every
    // byte again and faulted in fresh pages each time. Pages are only
    // resident once written.
    const std::size_t room =
        static_cast<std::size_t>(std::min(source.kafka->flush_bytes, source.kafka->max_buffer_bytes)) +
        kBatchSlack;
    if (p.batch.lines.capacity() < room && !spare.empty()) {
      p.batch.lines = std::move(spare.back());
      spare.pop_back();
    }
    if (p.batch.lines.capacity() < room) p.batch.lines.reserve(room);
    p.batch.topic = key.first;
    p.batch.partition = key.second;
    p.batch.first_offset = p.position && *p.position <= m.offset() ? *p.position : m.offset();
    p.batch.lines_offset = lines_offset;
    p.started = Clock::now();
    spdlog::debug("stream: {} batch from offset {}", KafkaInputPath(key.first, key.second),
                  m.offset());
    AppendEmptyOffsets(p.batch, m.offset() - lines_offset);
  }
  AppendMessage(p.batch.lines, std::string_view(static_cast<const char*>(m.payload()), m.len()));
  buffered += static_cast<std::int64_t>(p.batch.lines.size() - before);
  p.batch.last_offset = m.offset();
  // A full batch is flushed now, not at the next scan: at a backlog's pace
  // kScanEvery is hundreds of kilobytes, which overflowed the batch's
  // reserved buffer (a copy of it into one twice as large).
  if (static_cast<std::int64_t>(p.batch.lines.size()) >= source.kafka->flush_bytes) {
    next_scan = Clock::time_point{};
  }
  return {};
}

// The first offset the brokers hold, as of the last fetch of the partition
// (librdkafka keeps it from each fetch response), else asked of them; -1
// when neither tells.
std::int64_t StreamWorker::State::LowWatermark(const PartitionKey& key) {
  std::int64_t low = -1, high = -1;
  if (consumer->get_watermark_offsets(key.first, key.second, &low, &high) ==
          RdKafka::ERR_NO_ERROR &&
      low >= 0) {
    return low;
  }
  if (const auto err = consumer->query_watermark_offsets(key.first, key.second, &low, &high, 5000);
      err != RdKafka::ERR_NO_ERROR) {
    spdlog::warn(
        "stream: {}: cannot ask the brokers the first offset they hold ({}); offsets "
        "that came with no message are counted as deleted",
        KafkaInputPath(key.first, key.second), RdKafka::err2str(err));
    return -1;
  }
  return low;
}

Status StreamWorker::State::Flush(const PartitionKey& key) {
  auto it = owned.find(key);
  if (it == owned.end() || it->second.batch.lines.empty()) return {};
  Partition& p = it->second;
  PartitionBatch batch = std::move(p.batch);
  p.batch = PartitionBatch{};
  buffered -= static_cast<std::int64_t>(batch.lines.size());
  auto result = committer.Commit(batch);
  batch.lines.clear();
  if (spare.size() < kSpareBuffers) {
    // Keeps its capacity, and the pages a batch of this partition's share
    // of max_buffer_bytes fills, for a later batch. Keeping every page, a
    // backlog of one day on 100 partitions (max_buffer_bytes 1 GiB) held
    // 1.3 GB of buffers resident for 0.75 GB of lines and the worker peaked
    // at 1.98-2.00 GB; keeping a partition's share, at 1.67-1.71 GB.
    const auto share =
        source.kafka->max_buffer_bytes / std::max<std::int64_t>(1, std::ssize(owned));
    DropPagesPast(batch.lines,
                  static_cast<std::size_t>(std::min(source.kafka->flush_bytes, share)));
    spare.push_back(std::move(batch.lines));
  } else {
    DropPagesPast(batch.lines, 0);  // the heap would keep them resident
  }
  if (!result) return tl::unexpected(result.error());
  const std::string where = KafkaInputPath(batch.topic, batch.partition);
  if (result->outcome == CommitOutcome::kRefused) {
    ++stats.refused;
    spdlog::warn("stream: batch {}..{} refused: {}; seeking to the lake's record",
                 batch.first_offset, batch.last_offset, result->why);
    const auto next = committer.record().Next(batch.topic, batch.partition);
    p.position = next;
    if (next) {
      std::unique_ptr<RdKafka::TopicPartition> tp(
          RdKafka::TopicPartition::create(batch.topic, batch.partition, *next));
      if (const auto err = consumer->seek(*tp, 5000); err != RdKafka::ERR_NO_ERROR) {
        spdlog::warn("stream: cannot seek {} to {}: {}", where, *next, RdKafka::err2str(err));
      }
    }
    return {};
  }
  p.position = batch.last_offset + 1;
  if (result->outcome == CommitOutcome::kCommitted) {
    ++stats.batches;
    stats.messages += batch.messages();
    std::int64_t quarantined = 0;
    for (const auto& [reason, n] : result->stats.quarantined) quarantined += n;
    stats.quarantined += quarantined;
    spdlog::info("stream: {} offsets {}..{}: committed batch {} ({} messages, {} quarantined)",
                 where, batch.first_offset, batch.last_offset, result->batch_id, batch.messages(),
                 quarantined);
  } else {
    spdlog::info("stream: {} offsets {}..{}: already in the lake as batch {}; nothing written",
                 where, batch.first_offset, batch.last_offset, result->batch_id);
  }
  // Kafka's offset only after the lake's commit; the lake stays the truth if this fails.
  lake.faults().At("offsets-committing");
  std::vector<RdKafka::TopicPartition*> offsets = {
      RdKafka::TopicPartition::create(batch.topic, batch.partition, batch.last_offset + 1)};
  // A synchronous commit waits for the group's coordinator, with the brokers
  // gone up to the session timeout; stopping, the close waits for the commit.
  const auto err = stopping ? consumer->commitAsync(offsets) : consumer->commitSync(offsets);
  RdKafka::TopicPartition::destroy(offsets);
  if (err != RdKafka::ERR_NO_ERROR) {
    spdlog::warn("stream: Kafka did not take the offset of {} ({}); the lake's record holds it",
                 where, RdKafka::err2str(err));
  }
  lake.faults().At("offsets-committed");
  return {};
}

// A message before the lake's record: one fetched before a seek, or the
// brokers' offsets went back (the topic was recreated and librdkafka reset to
// the earliest offset). Asks the brokers once until a later message comes.
Status StreamWorker::State::CheckBackwards(const PartitionKey& key, Partition& p,
                                           std::int64_t offset) {
  if (p.backwards_checked) return {};
  p.backwards_checked = true;
  std::int64_t low = 0, high = 0;
  if (const auto err = consumer->query_watermark_offsets(key.first, key.second, &low, &high, 5000);
      err != RdKafka::ERR_NO_ERROR) {
    spdlog::warn(
        "stream: {}: offset {} is before the lake's record {}; cannot ask the brokers "
        "their offsets ({})",
        KafkaInputPath(key.first, key.second), offset, *p.position, RdKafka::err2str(err));
    p.backwards_checked = false;
    return {};
  }
  if (high >= *p.position) return {};
  return Fail(ErrorCode::kData,
              fmt::format("{}: the brokers' offsets went backwards: they end at offset {} but "
                          "the lake holds offsets up to {} (was the topic deleted and created "
                          "again?); the worker stops rather than read offsets again or skip "
                          "them. To start this partition over, remove its batches from the "
                          "lake or use a new topic",
                          KafkaInputPath(key.first, key.second), high, *p.position - 1));
}

bool StreamWorker::State::Behind(const PartitionKey& key, const Partition& p) const {
  std::int64_t low = 0, high = 0;  // as of the last fetch: no request to the brokers
  return consumer->get_watermark_offsets(key.first, key.second, &low, &high) ==
             RdKafka::ERR_NO_ERROR &&
         high > p.batch.last_offset + 1;
}

Status StreamWorker::State::FlushDue(bool all) {
  const config::KafkaSourceConfig& k = *source.kafka;
  const auto now = Clock::now();
  const auto interval = std::chrono::milliseconds(k.flush_interval_ms);
  std::vector<PartitionKey> due;
  if (all || now >= next_scan) {
    next_scan = now + kScanEvery;
    for (const auto& [key, p] : owned) {
      if (p.batch.lines.empty()) continue;
      const auto age = now - p.started;
      // With a backlog behind it, a batch grows to flush_bytes (up to
      // kBacklogIntervals intervals): fewer, larger commits catch up faster.
      const bool old = age >= interval && (age >= kBacklogIntervals * interval || !Behind(key, p));
      if (all || old || static_cast<std::int64_t>(p.batch.lines.size()) >= k.flush_bytes) {
        due.push_back(key);
      }
    }
  }
  for (const auto& key : due) {
    if (auto s = Flush(key); !s) return s;
  }
  while (buffered > k.max_buffer_bytes) {
    const PartitionKey* largest = nullptr;
    std::size_t size = 0;
    for (const auto& [key, p] : owned) {
      if (p.batch.lines.size() > size) {
        size = p.batch.lines.size();
        largest = &key;
      }
    }
    if (largest == nullptr) break;
    if (auto s = Flush(*largest); !s) return s;
  }
  return {};
}

Status StreamWorker::Run() {
  State& st = *state_;
  // Batches and silver's buffers are megabytes, allocated and freed at every
  // commit: by default glibc hands such blocks back to the kernel (munmap,
  // heap trimming) and the next commit faults their pages in again (about a
  // tenth of the worker's CPU time). Up to 64 MiB of freed memory stays in
  // the process instead (with 400 partitions: peak 349 MB instead of 310).
  mallopt(M_MMAP_THRESHOLD, kMaxMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kMaxMmapThreshold * 2);
  const config::KafkaSourceConfig& k = *st.source.kafka;
  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", k.brokers},      {"group.id", k.group},
      {"client.id", "playlake-stream"},      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"}, {"queued.max.messages.kbytes", "16384"},
  };
  for (const auto& [key, value] : k.properties) properties[key] = value;
  // Last, over the user's: an offset the brokers no longer hold resumes at
  // the earliest they hold, where Add sees the gap (or the offsets going
  // backwards); "latest" would jump over a backlog, "error" stall.
  properties["auto.offset.reset"] = "earliest";
  auto conf = MakeConf(properties);
  if (!conf) return tl::unexpected(conf.error());
  std::string error;
  if ((*conf)->set("rebalance_cb", static_cast<RdKafka::RebalanceCb*>(&st), error) !=
      RdKafka::Conf::CONF_OK) {
    return Fail(ErrorCode::kInternal, "cannot set the rebalance callback: " + error);
  }
  st.consumer.reset(RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!st.consumer) return Fail(ErrorCode::kConfig, "cannot create a Kafka consumer: " + error);
  if (const auto err = st.consumer->subscribe(k.topics); err != RdKafka::ERR_NO_ERROR) {
    return Fail(ErrorCode::kConfig, fmt::format("cannot subscribe to {}: {}",
                                                fmt::join(k.topics, ", "), RdKafka::err2str(err)));
  }
  spdlog::info("stream: source {} reading {} from {} as group {}", st.source.name,
               fmt::join(k.topics, ", "), k.brokers, k.group);
  Status status;
  while (!st.options.stop_requested() && !st.error) {
    std::unique_ptr<RdKafka::Message> m(st.consumer->consume(100));
    if (st.error) break;
    switch (m->err()) {
      case RdKafka::ERR_NO_ERROR:
        status = st.Add(*m);
        break;
      case RdKafka::ERR__TIMED_OUT:
      case RdKafka::ERR__PARTITION_EOF:
        break;
      case RdKafka::ERR__FATAL:
        status = Fail(ErrorCode::kIo, "Kafka consumer: " + m->errstr());
        break;
      default:
        spdlog::warn("stream: {} (retrying)", m->errstr());
    }
    if (status) status = st.FlushDue(false);
    if (!status) break;
  }
  if (st.error && status) status = tl::unexpected(*st.error);
  st.stopping = true;
  if (status) status = st.FlushDue(true);  // stopping: commit what is in flight
  CloseConsumer(st.consumer);
  if (status && st.error) status = tl::unexpected(*st.error);
  spdlog::info(
      "stream: {} batches committed ({} messages, {} quarantined), {} refused, {} offsets lost",
      st.stats.batches, st.stats.messages, st.stats.quarantined, st.stats.refused, st.stats.lost);
  if (const silver::KeyIndex* keys = st.committer.keys()) {
    spdlog::info(
        "stream: dedupe keys: {:.1f} MB in memory (budget {} MiB), {} partition folder(s) read back "
        "from their files, {} file(s) other writers committed read, {} dropped for the budget",
        static_cast<double>(keys->bytes()) / 1e6, keys->budget() >> 20, keys->loads(),
        keys->unread_files(), keys->evictions());
  }
  return status;
}

}  // namespace playlake::stream
