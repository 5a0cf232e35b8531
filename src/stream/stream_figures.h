// StreamFigures: how far the lake is behind a Kafka source, as `playlake
// serve` shows it in /metrics and on the Pipeline page (docs/streaming.md,
// "Monitoring"). Plain values, computed by StreamMonitor (stream_monitor.h)
// from the lake's commit record and the brokers' high watermarks, so they
// hold wherever the `playlake stream` workers run.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace playlake::stream {

struct PartitionFigures {
  std::string topic;
  int partition = 0;
  // The offset after the last one the lake holds (0: it holds none).
  std::int64_t committed_offset = 0;
  // Offsets committed to the lake (every message: plays and quarantined ones).
  std::int64_t landed_events = 0;
  // Commit time of the partition's last batch, µs since the epoch; 0: none.
  std::int64_t last_commit_us = 0;
  // The brokers' high watermark and the messages before it the lake does
  // not hold yet; nullopt when the brokers did not answer.
  std::optional<std::int64_t> end_offset;
  std::optional<std::int64_t> lag;
  // Offsets the brokers deleted before a worker read them: covered by the
  // lake's record as one quarantine row per gap, not in landed_events.
  std::int64_t offsets_lost = 0;
};

struct StreamFigures {
  std::string source;               // sources[].name
  std::vector<std::string> topics;  // the source's topics
  // Each partition the lake holds or the brokers list, by topic and number.
  std::vector<PartitionFigures> partitions;
  // Whether the brokers answered the watermark query within the timeout;
  // else why not (the lag is then unknown, the lake's figures still hold).
  bool brokers_answered = false;
  std::string broker_error;
  // Events committed per second over the last `window_seconds` of commits.
  double events_per_second = 0;
  int window_seconds = 60;
  std::int64_t last_commit_us = 0;  // the newest commit of any partition; 0: none
  std::int64_t offsets_lost = 0;    // all partitions
  std::optional<std::int64_t> lag;  // all partitions; nullopt when the brokers did not answer
};

}  // namespace playlake::stream
