#include "stream/stream_monitor.h"

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "stream/kafka_config.h"
#include "stream/offset_record.h"

namespace playlake::stream {

using Key = std::pair<std::string, int>;  // topic, partition

struct StreamMonitor::State {
  State(lake::Lake& l, config::SourceConfig s, StreamMonitorOptions o)
      : lake(l), source(std::move(s)), options(o) {}
  ~State() {
    if (consumer) consumer->close();
  }

  void Land(const lake::ManifestEntry& entry);
  // The brokers' (low, high) watermarks of each partition of the source's
  // topics, within options.broker_timeout; else why not.
  Result<std::map<Key, std::pair<std::int64_t, std::int64_t>>> Watermarks();

  lake::Lake& lake;
  config::SourceConfig source;
  StreamMonitorOptions options;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;  // never subscribes: asks, reads nothing
  std::mutex mutex;                                  // one Read at a time
  OffsetRecord record;                               // which manifests were read
  std::map<Key, PartitionFigures> partitions;
  std::deque<std::pair<std::int64_t, std::int64_t>> recent;  // (commit µs, events) in the window
};

// Counts the offsets `entry` adds after what its partition's earlier commits
// hold (a compaction's entry re-covers held offsets and adds none).
void StreamMonitor::State::Land(const lake::ManifestEntry& entry) {
  const auto& k = *entry.kafka;
  auto& p = partitions[{k.topic, k.partition}];
  p.topic = k.topic;
  p.partition = k.partition;
  p.last_commit_us = std::max(p.last_commit_us, entry.committed_at_us);
  const std::int64_t end = k.last_offset + 1;
  if (end <= p.committed_offset) return;
  const std::int64_t from = std::max(k.first_offset, p.committed_offset);
  const std::int64_t lost = std::max<std::int64_t>(0, std::min(k.lines_offset, end) - from);
  const std::int64_t added = end - from - lost;
  p.committed_offset = end;
  p.landed_events += added;
  p.offsets_lost += lost;
  recent.emplace_back(entry.committed_at_us, added);
}

Result<std::map<Key, std::pair<std::int64_t, std::int64_t>>> StreamMonitor::State::Watermarks() {
  const auto deadline = std::chrono::steady_clock::now() + options.broker_timeout;
  const auto remaining_ms = [&] {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::max<std::int64_t>(1, left.count()));
  };
  RdKafka::Metadata* raw = nullptr;
  if (const auto err = consumer->metadata(true, nullptr, &raw, remaining_ms());
      err != RdKafka::ERR_NO_ERROR) {
    return Fail(ErrorCode::kIo, "the brokers did not answer: " + RdKafka::err2str(err));
  }
  const std::unique_ptr<RdKafka::Metadata> metadata(raw);
  const std::set<std::string> wanted(source.kafka->topics.begin(), source.kafka->topics.end());
  std::map<Key, std::pair<std::int64_t, std::int64_t>> ends;
  for (const auto* topic : *metadata->topics()) {
    if (!wanted.count(topic->topic()) || topic->err() != RdKafka::ERR_NO_ERROR) continue;
    for (const auto* partition : *topic->partitions()) {
      std::int64_t low = 0, high = 0;
      if (const auto err = consumer->query_watermark_offsets(topic->topic(), partition->id(), &low,
                                                             &high, remaining_ms());
          err != RdKafka::ERR_NO_ERROR) {
        return Fail(ErrorCode::kIo,
                    fmt::format("the brokers did not say where {}/{} ends: {}", topic->topic(),
                                partition->id(), RdKafka::err2str(err)));
      }
      ends[{topic->topic(), partition->id()}] = {low, high};
    }
  }
  return ends;
}

StreamMonitor::StreamMonitor(std::unique_ptr<State> state) : state_(std::move(state)) {}
StreamMonitor::~StreamMonitor() = default;

Result<std::unique_ptr<StreamMonitor>> StreamMonitor::Create(lake::Lake& lake,
                                                             config::SourceConfig source,
                                                             StreamMonitorOptions options) {
  const config::KafkaSourceConfig& k = *source.kafka;
  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", k.brokers},
      {"group.id", k.group},
      {"client.id", "playlake-serve-monitor"},
      {"enable.auto.commit", "false"},
  };
  for (const auto& [key, value] : k.properties) properties[key] = value;
  auto conf = MakeConf(properties);
  if (!conf) return tl::unexpected(conf.error());
  auto state = std::make_unique<State>(lake, std::move(source), options);
  std::string error;
  state->consumer.reset(RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!state->consumer) return Fail(ErrorCode::kConfig, "cannot create a Kafka client: " + error);
  return std::unique_ptr<StreamMonitor>(new StreamMonitor(std::move(state)));
}

Result<StreamFigures> StreamMonitor::Read() {
  State& st = *state_;
  std::lock_guard lock(st.mutex);
  auto fresh = st.record.Refresh(st.lake);
  if (!fresh) return tl::unexpected(fresh.error());
  std::sort(fresh->begin(), fresh->end(),
            [](const auto& a, const auto& b) { return a.committed_at_us < b.committed_at_us; });
  const std::set<std::string> topics(st.source.kafka->topics.begin(),
                                     st.source.kafka->topics.end());
  for (const auto& entry : *fresh) {
    if (entry.kafka && topics.count(entry.kafka->topic)) st.Land(entry);
  }

  StreamFigures figures;
  figures.source = st.source.name;
  figures.topics = st.source.kafka->topics;
  figures.window_seconds = static_cast<int>(st.options.window.count());
  const std::int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(st.lake.Now().time_since_epoch())
          .count();
  const std::int64_t since_us = now_us - figures.window_seconds * std::int64_t{1'000'000};
  while (!st.recent.empty() && st.recent.front().first <= since_us) st.recent.pop_front();
  std::int64_t in_window = 0;
  for (const auto& [at_us, events] : st.recent) in_window += events;
  figures.events_per_second = static_cast<double>(in_window) / std::max(1, figures.window_seconds);

  auto partitions = st.partitions;  // plus the partitions only the brokers know
  auto ends = st.Watermarks();
  figures.brokers_answered = ends.has_value();
  if (!ends) figures.broker_error = ends.error().message;
  std::int64_t lag = 0;
  if (ends) {
    for (const auto& [key, low_high] : *ends) {
      auto& p = partitions[key];
      p.topic = key.first;
      p.partition = key.second;
      p.end_offset = low_high.second;
      p.lag =
          std::max<std::int64_t>(0, low_high.second - std::max(p.committed_offset, low_high.first));
      lag += *p.lag;
    }
    figures.lag = lag;
  }
  for (auto& [key, p] : partitions) {
    figures.last_commit_us = std::max(figures.last_commit_us, p.last_commit_us);
    figures.offsets_lost += p.offsets_lost;
    figures.partitions.push_back(std::move(p));
  }
  return figures;
}

}  // namespace playlake::stream
