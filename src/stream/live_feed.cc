#include "stream/live_feed.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <set>
#include <stop_token>
#include <thread>

#include "common/rfc3339.h"
#include "sources/format.h"
#include "sources/record_parser.h"
#include "stream/kafka_config.h"

namespace playlake::stream {
namespace {

using Clock = std::chrono::steady_clock;

std::int64_t EpochMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Owns the TopicPartitions librdkafka's calls take as raw pointers.
struct Partitions {
  std::vector<RdKafka::TopicPartition*> list;
  Partitions() = default;
  Partitions(const Partitions&) = delete;
  Partitions& operator=(const Partitions&) = delete;
  ~Partitions() { RdKafka::TopicPartition::destroy(list); }
};

}  // namespace

struct LiveFeed::State {
  config::SourceConfig source;
  LiveFeedOptions options;
  Publish publish;
  std::unique_ptr<live::LiveAggregates> aggregates;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  sources::BatchContext context;
  std::unique_ptr<sources::RecordParser> parser;
  sources::TableBatches rows;
  std::string padded;
  Partitions assigned;
  std::vector<std::int64_t> read_to;      // per assigned partition, the offset read up to
  std::vector<std::int64_t> catch_up_to;  // per assigned partition, its end when assigned
  bool caught_up = false;
  bool unread_news = false;  // messages read since the last snapshot published
  std::uint64_t published_position = 0;
  std::int64_t published_messages = 0;  // messages_read at the last snapshot published
  std::int64_t messages_read = 0;
  std::int64_t last_read_ms = 0;      // wall clock of the last message read; 0: none yet
  std::int64_t last_produced_ms = 0;  // the newest message timestamp read; 0: none yet

  mutable std::mutex mutex;
  nlohmann::json snapshot;  // guarded by mutex
  std::jthread thread;

  Status Assign();
  void Read(const RdKafka::Message& message);
  std::uint64_t Position() const;
  nlohmann::json Lag() const;
  nlohmann::json Compose(std::uint64_t position);
  void MaybePublish();
  void Run(std::stop_token stop);
};

// Assigns every partition of the source's topics, each at most `backlog`
// messages before its end.
Status LiveFeed::State::Assign() {
  RdKafka::Metadata* raw = nullptr;
  if (const auto err = consumer->metadata(true, nullptr, &raw, 5000);
      err != RdKafka::ERR_NO_ERROR) {
    return Fail(ErrorCode::kIo, "cannot list the topics: " + RdKafka::err2str(err));
  }
  const std::unique_ptr<RdKafka::Metadata> metadata(raw);
  const std::set<std::string> wanted(source.kafka->topics.begin(), source.kafka->topics.end());
  Partitions partitions;
  for (const auto* topic : *metadata->topics()) {
    if (!wanted.count(topic->topic()) || topic->err() != RdKafka::ERR_NO_ERROR) continue;
    for (const auto* partition : *topic->partitions()) {
      std::int64_t low = 0, high = 0;
      if (const auto err =
              consumer->query_watermark_offsets(topic->topic(), partition->id(), &low, &high, 5000);
          err != RdKafka::ERR_NO_ERROR) {
        return Fail(ErrorCode::kIo, fmt::format("cannot read where {}/{} ends: {}", topic->topic(),
                                                partition->id(), RdKafka::err2str(err)));
      }
      const std::int64_t start = std::max(low, high - options.backlog);
      partitions.list.push_back(
          RdKafka::TopicPartition::create(topic->topic(), partition->id(), start));
      read_to.push_back(start);
      catch_up_to.push_back(high);
    }
  }
  if (partitions.list.empty()) {
    read_to.clear();
    catch_up_to.clear();
    return Fail(ErrorCode::kNotFound, fmt::format("no partition of {} on the brokers yet",
                                                  fmt::join(source.kafka->topics, ", ")));
  }
  if (const auto err = consumer->assign(partitions.list); err != RdKafka::ERR_NO_ERROR) {
    read_to.clear();
    catch_up_to.clear();
    return Fail(ErrorCode::kIo, "cannot assign the partitions: " + RdKafka::err2str(err));
  }
  std::swap(assigned.list, partitions.list);
  spdlog::info("live: reading {} partition(s) of {}, each from at most {} messages back",
               assigned.list.size(), fmt::join(source.kafka->topics, ", "), options.backlog);
  return {};
}

// Parses one message as the lake would and counts the play it holds, if any.
void LiveFeed::State::Read(const RdKafka::Message& message) {
  ++messages_read;
  unread_news = true;
  for (std::size_t i = 0; i < assigned.list.size(); ++i) {
    if (assigned.list[i]->partition() == message.partition() &&
        (source.kafka->topics.size() == 1 || assigned.list[i]->topic() == message.topic_name())) {
      read_to[i] = std::max(read_to[i], message.offset() + 1);
      break;
    }
  }
  last_read_ms = EpochMillis();
  if (const auto stamp = message.timestamp();
      stamp.type != RdKafka::MessageTimestamp::MSG_TIMESTAMP_NOT_AVAILABLE) {
    last_produced_ms = std::max(last_produced_ms, stamp.timestamp);
  }
  const std::string_view value(static_cast<const char*>(message.payload()), message.len());
  padded.assign(value);
  padded.resize(value.size() + sources::kRecordPadding, '\0');
  auto parsed = parser->Parse(value, padded.size(), message.offset(), rows);
  auto& plays = rows[sources::Table::kPlays];
  if (parsed && !*parsed && plays.rows() > 0) {
    const std::size_t row = plays.rows() - 1;
    auto text = [&](int column) {
      return plays.IsValid(column, row) ? plays.Text(column, row) : std::string_view();
    };
    live::LivePlay play;
    play.event_time_ms = plays.Int(sources::kPlayEventTs, row) / 1000;
    play.listener = text(sources::kPlayUserId);
    play.track_name = text(sources::kPlayTrackName);
    play.track =
        text(sources::kPlayTrackId).empty() ? play.track_name : text(sources::kPlayTrackId);
    play.artist = text(sources::kPlayArtistName);
    play.country = text(sources::kPlayCountry);
    play.device = text(sources::kPlayDevice);
    aggregates->Add(play);
  }
  for (auto& batch : rows.batches) batch.Clear();
}

// The sum of the offsets read up to (not the consumer's position, which may
// count messages fetched but not read yet).
std::uint64_t LiveFeed::State::Position() const {
  std::uint64_t sum = 0;
  for (const std::int64_t offset : read_to) sum += static_cast<std::uint64_t>(offset);
  return sum;
}

nlohmann::json LiveFeed::State::Lag() const {
  nlohmann::json partitions = nlohmann::json::array();
  std::int64_t total = 0;
  for (std::size_t i = 0; i < assigned.list.size(); ++i) {
    const auto* p = assigned.list[i];
    std::int64_t low = 0, high = 0;
    if (consumer->get_watermark_offsets(p->topic(), p->partition(), &low, &high) !=
            RdKafka::ERR_NO_ERROR ||
        high < 0) {
      continue;
    }
    const std::int64_t lag = std::max<std::int64_t>(0, high - read_to[i]);
    total += lag;
    partitions.push_back({{"topic", p->topic()}, {"partition", p->partition()}, {"lag", lag}});
  }
  return {{"messages", total}, {"partitions", partitions}};
}

// The snapshot at `position`.
nlohmann::json LiveFeed::State::Compose(std::uint64_t position) {
  nlohmann::json next = aggregates->Snapshot();
  next["available"] = true;
  next["position"] = position;
  next["lag"] = assigned.list.empty() ? nlohmann::json(nullptr) : Lag();
  next["messages_read"] = messages_read;
  next["last_read_at"] = last_read_ms == 0
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(FormatRfc3339(std::chrono::system_clock::time_point(
                                   std::chrono::milliseconds(last_read_ms))));
  next["last_produced_ms"] =
      last_produced_ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(last_produced_ms);
  next["topics"] = source.kafka->topics;
  return next;
}

// Publishes what was read since the last snapshot, once caught up.
void LiveFeed::State::MaybePublish() {
  const std::uint64_t position = Position();
  if (!caught_up) {
    for (std::size_t i = 0; i < assigned.list.size(); ++i) {
      if (read_to[i] < catch_up_to[i]) return;
    }
    caught_up = true;
    spdlog::info("live: caught up ({} messages read), publishing as messages arrive",
                 messages_read);
  }
  unread_news = false;
  if (position <= published_position) return;
  published_position = position;
  const auto started = Clock::now();
  nlohmann::json next = Compose(position);
  {
    std::lock_guard lock(mutex);
    snapshot = next;
  }
  publish(position, next);
  // Where the time goes between a play produced and drawn (docs/performance.md).
  spdlog::trace(
      "live: published {} messages; the newest produced {} ms ago; composed and "
      "pushed in {} us",
      messages_read - published_messages, EpochMillis() - last_produced_ms,
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count());
  published_messages = messages_read;
}

void LiveFeed::State::Run(std::stop_token stop) {
  auto next_publish = Clock::now();
  auto next_assign = Clock::now();
  while (!stop.stop_requested()) {
    if (assigned.list.empty() && Clock::now() >= next_assign) {
      if (auto s = Assign(); !s) {
        spdlog::warn("live: {} (retrying)", s.error().message);
        next_assign = Clock::now() + std::chrono::seconds(2);
      }
    }
    if (assigned.list.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    // With news to publish, wait no longer than until it may go out.
    auto wait = std::chrono::milliseconds(100);
    if (unread_news && caught_up) {
      wait = std::clamp(
          std::chrono::duration_cast<std::chrono::milliseconds>(next_publish - Clock::now()),
          std::chrono::milliseconds(0), wait);
    }
    std::unique_ptr<RdKafka::Message> m(consumer->consume(static_cast<int>(wait.count())));
    if (m->err() == RdKafka::ERR_NO_ERROR) {
      Read(*m);
    } else if (m->err() == RdKafka::ERR__TIMED_OUT && !caught_up && messages_read > 0) {
      // Nothing more to read: whatever the ends were, they are reached (a
      // partition's end may hold no message, e.g. a transaction marker).
      caught_up = true;
    } else if (m->err() != RdKafka::ERR__TIMED_OUT && m->err() != RdKafka::ERR__PARTITION_EOF) {
      spdlog::debug("live: {}", m->errstr());
    }
    if (unread_news && Clock::now() >= next_publish) {
      MaybePublish();
      next_publish = Clock::now() + options.min_publish_interval;
    }
  }
  consumer->close();
}

Result<std::unique_ptr<LiveFeed>> LiveFeed::Start(const config::SourceConfig& source,
                                                  LiveFeedOptions options, Publish publish) {
  if (!source.kafka) {
    return Fail(ErrorCode::kConfig, fmt::format("source {} is not a Kafka source", source.name));
  }
  const auto format = sources::ParseFormat(source.format);
  if (!format) {
    return Fail(ErrorCode::kConfig, fmt::format("source {}: format '{}' cannot be read live",
                                                source.name, source.format));
  }
  auto aggregates = live::LiveAggregates::Create(options.live);
  if (!aggregates) return tl::unexpected(aggregates.error());
  // No group takes part: partitions are assigned, nothing is committed.
  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", source.kafka->brokers},
      {"group.id", "playlake-live"},
      {"client.id", "playlake-live"},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"queued.max.messages.kbytes", "16384"},
  };
  for (const auto& [key, value] : source.kafka->properties) properties[key] = value;
  auto conf = MakeConf(properties);
  if (!conf) return tl::unexpected(conf.error());
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!consumer) return Fail(ErrorCode::kConfig, "cannot create a Kafka consumer: " + error);

  auto state = std::make_unique<State>();
  state->source = source;
  state->options = options;
  state->publish = std::move(publish);
  state->aggregates = std::move(*aggregates);
  state->consumer = std::move(consumer);
  state->context.format = *format;
  state->context.source_file = "kafka:live";
  state->context.timezone = source.timezone;
  state->parser = std::make_unique<sources::RecordParser>(state->context);
  state->snapshot = state->Compose(0);
  State* running = state.get();
  state->thread = std::jthread([running](std::stop_token stop) { running->Run(stop); });
  return std::unique_ptr<LiveFeed>(new LiveFeed(std::move(state)));
}

LiveFeed::LiveFeed(std::unique_ptr<State> state) : state_(std::move(state)) {}

LiveFeed::~LiveFeed() { Stop(); }

void LiveFeed::Stop() {
  state_->thread.request_stop();
  if (state_->thread.joinable()) state_->thread.join();
}

nlohmann::json LiveFeed::Snapshot() const {
  std::lock_guard lock(state_->mutex);
  return state_->snapshot;
}

}  // namespace playlake::stream
