#include "serve/stream_metrics.h"

#include <fmt/format.h>

#include <chrono>

#include "common/rfc3339.h"

namespace playlake::serve {
namespace {

using nlohmann::json;

// A time in µs since the epoch as RFC 3339; null for 0 (never).
json TimeOrNull(std::int64_t us) {
  if (us == 0) return nullptr;
  return FormatRfc3339(
      std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(us)));
}

json OrNull(const std::optional<std::int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

std::string Labels(const stream::PartitionFigures& p) {
  // Topic names are [a-zA-Z0-9._-] in Kafka: nothing to escape.
  return fmt::format("{{topic=\"{}\",partition=\"{}\"}}", p.topic, p.partition);
}

void Header(std::string& out, const char* name, const char* type, const char* help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

// One series per partition of `name`, from `value` (nullopt: left out).
template <typename Value>
void PerPartition(std::string& out, const stream::StreamFigures& figures, const char* name,
                  const char* type, const char* help, Value value) {
  Header(out, name, type, help);
  for (const auto& p : figures.partitions) {
    if (const std::optional<double> v = value(p))
      out += fmt::format("{}{} {}\n", name, Labels(p), *v);
  }
}

}  // namespace

std::string StreamMetricsText(const stream::StreamFigures& f) {
  using P = stream::PartitionFigures;
  std::string out;
  Header(out, "playlake_stream_brokers_up", "gauge",
         "Whether the Kafka brokers answered the watermark query in time (1) or not (0).");
  out += fmt::format("playlake_stream_brokers_up {}\n", f.brokers_answered ? 1 : 0);
  PerPartition(out, f, "playlake_stream_partition_committed_offset", "gauge",
               "The offset after the last one the lake holds, by topic and partition.",
               [](const P& p) { return std::optional<double>(p.committed_offset); });
  PerPartition(out, f, "playlake_stream_partition_end_offset", "gauge",
               "The brokers' high watermark, by topic and partition.", [](const P& p) {
                 return p.end_offset ? std::optional<double>(*p.end_offset) : std::nullopt;
               });
  PerPartition(out, f, "playlake_stream_partition_lag_messages", "gauge",
               "Messages on the brokers the lake does not hold yet, by topic and partition.",
               [](const P& p) { return p.lag ? std::optional<double>(*p.lag) : std::nullopt; });
  PerPartition(out, f, "playlake_stream_partition_landed_events_total", "counter",
               "Kafka messages committed to the lake (plays and quarantined), by topic and "
               "partition.",
               [](const P& p) { return std::optional<double>(p.landed_events); });
  PerPartition(out, f, "playlake_stream_partition_offsets_lost_total", "counter",
               "Kafka offsets the brokers deleted before they were read (quarantined as "
               "deleted_by_broker), by topic and partition.",
               [](const P& p) { return std::optional<double>(p.offsets_lost); });
  PerPartition(out, f, "playlake_stream_partition_last_commit_timestamp_seconds", "gauge",
               "Commit time of the partition's last batch in the lake.", [](const P& p) {
                 return p.last_commit_us ? std::optional<double>(p.last_commit_us / 1e6)
                                         : std::nullopt;
               });
  if (f.lag) {
    Header(out, "playlake_stream_lag_messages", "gauge",
           "Messages on the brokers the lake does not hold yet, all partitions.");
    out += fmt::format("playlake_stream_lag_messages {}\n", *f.lag);
  }
  Header(out, "playlake_stream_offsets_lost_total", "counter",
         "Kafka offsets the brokers deleted before they were read, all partitions.");
  out += fmt::format("playlake_stream_offsets_lost_total {}\n", f.offsets_lost);
  Header(out, "playlake_stream_landed_events_per_second", "gauge",
         "Kafka messages committed to the lake per second over the last minute of commits.");
  out += fmt::format("playlake_stream_landed_events_per_second {}\n", f.events_per_second);
  Header(out, "playlake_stream_last_commit_timestamp_seconds", "gauge",
         "Commit time of the stream's last batch in the lake, any partition.");
  out += fmt::format("playlake_stream_last_commit_timestamp_seconds {}\n", f.last_commit_us / 1e6);
  return out;
}

json StreamFiguresJson(const stream::StreamFigures& f) {
  json partitions = json::array();
  for (const auto& p : f.partitions) {
    partitions.push_back({{"topic", p.topic},
                          {"partition", p.partition},
                          {"committed_offset", p.committed_offset},
                          {"end_offset", OrNull(p.end_offset)},
                          {"lag", OrNull(p.lag)},
                          {"landed_events", p.landed_events},
                          {"offsets_lost", p.offsets_lost},
                          {"last_commit_at", TimeOrNull(p.last_commit_us)}});
  }
  return {{"available", true},
          {"source", f.source},
          {"topics", f.topics},
          {"brokers",
           {{"answered", f.brokers_answered},
            {"error", f.brokers_answered ? json(nullptr) : json(f.broker_error)}}},
          {"events_per_second", f.events_per_second},
          {"window_seconds", f.window_seconds},
          {"last_commit_at", TimeOrNull(f.last_commit_us)},
          {"lag", OrNull(f.lag)},
          {"offsets_lost", f.offsets_lost},
          {"partitions", std::move(partitions)}};
}

}  // namespace playlake::serve
