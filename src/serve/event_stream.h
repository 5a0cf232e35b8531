// A stream of Server-Sent Events: what the server pushes to every client of
// one streaming endpoint (e.g. /api/live/stream), and a bounded ring of the
// most recent events so that a client reconnecting with `Last-Event-ID`
// receives exactly the events after that id: no gap, no repeat.
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

  // `listener` is called, on the publishing thread and outside any lock of
  // this class, after each Publish(). The server uses it to wake the
  // connections waiting for an event.
  void AddListener(std::function<void()> listener);

  // What a client whose next event is `id` receives.
  struct Next {
    enum class State { kReady, kNotYet, kGone };
    State state = State::kNotYet;
    std::shared_ptr<const std::string> wire;  // the event's bytes when kReady
  };
  // kReady with the event `id`; kNotYet when `id` is not published yet;
  // kGone when it has already left the ring.
  Next Get(std::uint64_t id) const;

  // The id of the last published event (0, or the constructor's `last_id`,
  // before any).
  std::uint64_t last_id() const;
  // The id of the oldest event still in the ring (last_id() + 1 when empty).
  std::uint64_t oldest_id() const;
  std::size_t capacity() const { return capacity_; }

  // The wire form of one event (exposed for tests and for events that are not
  // kept, such as the reload notice).
  static std::string Format(std::uint64_t id, std::string_view type, std::string_view data);

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<const std::string>> ring_;  // ids oldest_ .. last_
  std::uint64_t last_id_;
  std::vector<std::function<void()>> listeners_;
};

}  // namespace playlake::serve
