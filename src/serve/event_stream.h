// A stream of Server-Sent Events: what the server pushes to every client of
// one streaming endpoint (e.g. /api/live/stream), and a bounded ring of the
// most recent events so that a client reconnecting with `Last-Event-ID`
// receives exactly the events after that id: no gap, no repeat.
//
// Ids only grow. Publish() numbers events one after another; PublishAt()
// takes the id from the publisher, e.g. a position in the data, so that the
// ids of a restarted publisher stay comparable with the old one's.
//
// Each event is formatted once, at Publish(), into its wire form
// ("id: N\nevent: TYPE\ndata: ...\n\n") and shared by every connection that
// sends it: a connection holds a reference and an offset, never a copy.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace playlake::serve {

class EventStream {
 public:
  // Keeps the last `capacity` events. Ids start after `last_id` (so a
  // publisher that restarts can continue its numbering). REQUIRES: capacity > 0.
  explicit EventStream(std::size_t capacity, std::uint64_t last_id = 0);
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  // Appends an event and returns its id (the previous id + 1); the oldest
  // event leaves the ring when it is full. `type` is the SSE event name
  // (line breaks in it become spaces); `data` may hold several lines, each is
  // sent as its own `data:` line. Then calls every listener.
  std::uint64_t Publish(std::string_view type, std::string_view data);
  // As Publish(), with the id `id`; false (nothing published) unless `id` is
  // greater than last_id().
  bool PublishAt(std::uint64_t id, std::string_view type, std::string_view data);

  // `listener` is called, on the publishing thread and outside any lock of
  // this class, after each Publish(). The server uses it to wake the
  // connections waiting for an event.
  void AddListener(std::function<void()> listener);

  // What a client that has seen the events up to id `seen` receives next.
  struct Next {
    enum class State { kReady, kNotYet, kGone };
    State state = State::kNotYet;
    std::uint64_t id = 0;                     // the event's id when kReady
    std::shared_ptr<const std::string> wire;  // the event's bytes when kReady
  };
  // kReady with the first event whose id is greater than `seen`; kNotYet when
  // there is none yet; kGone when one has already left the ring (or `seen`
  // is older than the stream's first id), so the client would miss it.
  Next After(std::uint64_t seen) const;

  // The id of the last published event (0, or the constructor's `last_id`,
  // before any).
  std::uint64_t last_id() const;
  // True when After(seen) is kGone.
  bool Missed(std::uint64_t seen) const;
  std::size_t capacity() const { return capacity_; }

  // The wire form of one event (exposed for tests and for events that are not
  // kept, such as the reload notice).
  static std::string Format(std::uint64_t id, std::string_view type, std::string_view data);

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  struct Kept {
    std::uint64_t id;
    std::shared_ptr<const std::string> wire;
  };
  // Publishes at `id` (nullopt: the next number); 0 when `id` is not new.
  std::uint64_t Add(std::optional<std::uint64_t> id, std::string_view type, std::string_view data);

  std::deque<Kept> ring_;  // ids ascending, the last one last_id_
  std::uint64_t last_id_;
  std::uint64_t dropped_id_;  // the newest id no longer kept (the start id at first)
  std::vector<std::function<void()>> listeners_;
};

}  // namespace playlake::serve
