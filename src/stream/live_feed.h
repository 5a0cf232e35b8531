// LiveFeed: what the Live page shows, read from a project's Kafka source.
//
//   auto feed = LiveFeed::Start(source, {}, [&](const nlohmann::json& snapshot) { ... });
//   nlohmann::json now = (*feed)->Snapshot();
//
// It reads the source's topics on its own: every partition is assigned
// directly (no consumer group takes part, no offset is ever committed), so it
// neither moves nor waits for the `playlake stream` workers. It starts each
// partition at most `backlog` messages before its end (what came before has
// left the windows in any stream busy enough to hold that many), parses each
// message as the lake does (the source's format), and keeps
// live::LiveAggregates by event time, which skip what is older than their
// windows. Every
// `publish_interval` it hands `publish` the snapshot: the aggregates plus
// `lag` (messages on the brokers not read yet, per partition and in all).
//
// Ownership: the feed owns a thread, stopped and joined by the destructor.
// Thread safety: Snapshot() may be called from any thread; `publish` is
// called on the feed's thread.
// Errors: Start() returns kConfig for refused Kafka properties or a source
// without kafka settings; a broker that cannot be reached is retried, and
// the snapshot says since when nothing was read.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "config/project.h"
#include "live/live_aggregates.h"

namespace playlake::stream {

struct LiveFeedOptions {
  std::int64_t backlog = 1'000'000;  // messages per partition read at start, at most
  std::chrono::milliseconds publish_interval{1000};
  live::LiveOptions live;
};

class LiveFeed {
 public:
  using Publish = std::function<void(const nlohmann::json& snapshot)>;
  static Result<std::unique_ptr<LiveFeed>> Start(const config::SourceConfig& source,
                                                 LiveFeedOptions options, Publish publish);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // The latest snapshot (as published; before the first one, an empty view).
  nlohmann::json Snapshot() const;
  // Stops reading and publishing (the destructor does too); Snapshot() then
  // keeps answering the last one.
  void Stop();

 private:
  struct State;
  explicit LiveFeed(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace playlake::stream
