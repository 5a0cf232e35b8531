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
// windows.
//
// Publishing: once it has read up to where each partition ended when it was
// assigned (the catch-up), it hands `publish` a snapshot as soon as it has
// read new messages, at most once per `min_publish_interval`; nothing new,
// nothing published. Each snapshot has a position: the sum over the
// partitions of the offset it has read up to. Positions only grow, and they
// come from the data, not from this process: a feed started again on the
// same topics publishes positions comparable with the old one's, and after
// its catch-up each of its snapshots has read every partition at least as
// far as any snapshot the old feed published.
//
// Ownership: the feed owns a thread, stopped and joined by the destructor.
// Thread safety: Snapshot() may be called from any thread; `publish` is
// called on the feed's thread.
// Errors: Start() returns kConfig for refused Kafka properties or a source
// without kafka settings; a broker that cannot be reached is retried, and
// the snapshot says since when nothing was read.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "common/result.h"
#include "config/project.h"
#include "live/live_aggregates.h"

namespace playlake::stream {

struct LiveFeedOptions {
  std::int64_t backlog = 1'000'000;  // messages per partition read at start, at most
  std::chrono::milliseconds min_publish_interval{25};
  live::LiveOptions live;
};

class LiveFeed {
 public:
  // `position` is also the snapshot's "position" field.
  using Publish = std::function<void(std::uint64_t position, const nlohmann::json& snapshot)>;
  static Result<std::unique_ptr<LiveFeed>> Start(const config::SourceConfig& source,
                                                 LiveFeedOptions options, Publish publish);
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // The latest snapshot (as published; before the first one, an empty view
  // at position 0).
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
