// The server's side of Server-Sent Events: the open stream connections, the
// ones waiting (suspended) for the next event, heartbeats, and the bound on
// how far a client may fall behind. Internal to the server (server.cc).
//
// A stream connection holds no thread and no buffer of its own: its answer
// is an MHD callback response that copies the shared wire bytes of the next
// event (EventStream) into MHD's write buffer. With nothing to send, the
// callback suspends the connection and returns 0 bytes; a Publish() on its
// stream, a due heartbeat or CloseAll() resumes it. A client whose next
// event has left the ring (it reads slower than events arrive) is closed.
//
// Thread safety: Open(), Sweep() and the MHD callbacks run on the server's
// event loop; Wake() (from Publish) and CloseAll() may run on any thread, and
// call `wake_loop` after resuming connections so the loop serves them now;
// clients() on any thread.
#pragma once

#include <microhttpd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "serve/event_stream.h"

namespace playlake::serve {

class SseHub {
 public:
  // REQUIRES: heartbeat_seconds > 0. `wake_loop` wakes the server's event
  // loop (MHD_resume_connection() from another thread does not).
  SseHub(int heartbeat_seconds, std::function<void()> wake_loop);
  SseHub(const SseHub&) = delete;
  SseHub& operator=(const SseHub&) = delete;

  // Makes `stream`'s publications wake `hub`'s waiting connections, for as
  // long as `hub` lives. REQUIRES: called before the server starts; `stream`
  // outlives the hub's last connection (the server keeps a shared_ptr).
  static void Attach(const std::shared_ptr<SseHub>& hub, EventStream& stream);

  // The answer for a new stream connection: the events with ids greater
  // than `last_event_id`, or only new events without one. When an event
  // after `last_event_id` has left the ring (or it is older than the
  // stream's first id) the client first receives a `reload` event: its view
  // may have a gap, so it should reload the snapshot. An id greater than the
  // last published waits for the events after it. Null when out of memory.
  // The caller queues it.
  MHD_Response* Open(MHD_Connection* connection, EventStream& stream,
                     std::optional<std::uint64_t> last_event_id);

  // Called on the loop a few times a second: resumes waiting connections
  // whose heartbeat is due, and closes those that fell behind the ring.
  void Sweep();

  // Ends every stream: waiting connections are resumed and each answer
  // ends. REQUIRES: called before the daemon stops (MHD must not stop with
  // suspended connections).
  void CloseAll();

  // Stream connections open now.
  int clients() const { return client_count_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Client;

  static ssize_t Read(void* cls, std::uint64_t pos, char* buf, std::size_t max);
  static void Free(void* cls);
  ssize_t Fill(Client& client, char* buf, std::size_t max);
  void Wake(const EventStream& stream);

  const std::chrono::seconds heartbeat_;
  const std::function<void()> wake_loop_;
  const std::shared_ptr<const std::string> heartbeat_wire_;
  const std::shared_ptr<const std::string> reload_wire_;
  std::unordered_set<Client*> open_;  // loop thread only

  std::mutex wait_mutex_;
  std::vector<Client*> waiting_;       // suspended; guarded by wait_mutex_
  std::atomic<bool> closing_ = false;  // set under wait_mutex_
  std::atomic<int> client_count_ = 0;
};

}  // namespace playlake::serve
