#include "serve/sse_hub.h"

#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <utility>

namespace playlake::serve {

// What MHD's buffer receives per call at most (it may ask for less).
constexpr std::size_t kBlockBytes = 8 * 1024;

struct SseHub::Client {
  SseHub* hub = nullptr;
  EventStream* stream = nullptr;
  MHD_Connection* connection = nullptr;
  int fd = -1;
  std::uint64_t seen = 0;                      // the id of the last event of `stream` sent
  bool reload_first = false;                   // send the reload notice before anything else
  std::shared_ptr<const std::string> sending;  // the event being sent
  std::size_t offset = 0;                      // bytes of it already sent
  Clock::time_point last_sent = Clock::now();
};

SseHub::SseHub(int heartbeat_seconds, std::function<void()> wake_loop)
    : heartbeat_(std::max(heartbeat_seconds, 1)),
      wake_loop_(std::move(wake_loop)),
      heartbeat_wire_(std::make_shared<const std::string>(": heartbeat\n\n")),
      reload_wire_(std::make_shared<const std::string>(EventStream::Format(
          0, "reload",
          R"({"reason":"events since Last-Event-ID are no longer kept: reload the snapshot"})"))) {}

void SseHub::Attach(const std::shared_ptr<SseHub>& hub, EventStream& stream) {
  // A publisher may outlive the server: a dead hub is simply not woken.
  stream.AddListener([weak = std::weak_ptr<SseHub>(hub), &stream] {
    if (auto alive = weak.lock()) alive->Wake(stream);
  });
}

MHD_Response* SseHub::Open(MHD_Connection* connection, EventStream& stream,
                           std::optional<std::uint64_t> last_event_id) {
  auto client = std::make_unique<Client>();
  client->hub = this;
  client->stream = &stream;
  client->connection = connection;
  const auto* info = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
  client->fd = info == nullptr ? -1 : info->connect_fd;
  client->seen = stream.last_id();
  if (last_event_id) {
    // The client has seen up to *last_event_id: resume right after it if the
    // ring still holds everything since (an id not published yet waits for
    // the events after it).
    if (stream.Missed(*last_event_id)) {
      client->reload_first = true;
    } else {
      client->seen = *last_event_id;
    }
  }
  MHD_Response* response = MHD_create_response_from_callback(
      MHD_SIZE_UNKNOWN, kBlockBytes, &SseHub::Read, client.get(), &SseHub::Free);
  if (response == nullptr) return nullptr;
  open_.insert(client.release());
  ++client_count_;
  return response;
}

ssize_t SseHub::Read(void* cls, std::uint64_t, char* buf, std::size_t max) {
  auto& client = *static_cast<Client*>(cls);
  return client.hub->Fill(client, buf, max);
}

void SseHub::Free(void* cls) {
  std::unique_ptr<Client> client(static_cast<Client*>(cls));
  SseHub& hub = *client->hub;
  hub.open_.erase(client.get());
  {
    std::lock_guard lock(hub.wait_mutex_);
    std::erase(hub.waiting_, client.get());
  }
  --hub.client_count_;
}

ssize_t SseHub::Fill(Client& client, char* buf, std::size_t max) {
  if (closing_) return MHD_CONTENT_READER_END_OF_STREAM;
  std::size_t written = 0;
  while (true) {
    while (written < max) {
      if (client.sending == nullptr || client.offset == client.sending->size()) {
        client.sending = nullptr;
        client.offset = 0;
        if (client.reload_first) {
          client.reload_first = false;
          client.sending = reload_wire_;
          continue;
        }
        auto next = client.stream->After(client.seen);
        if (next.state == EventStream::Next::State::kNotYet) break;
        if (next.state == EventStream::Next::State::kGone) {
          // Fell behind the ring: close rather than buffer without limit.
          if (written > 0) break;
          return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        client.sending = std::move(next.wire);
        client.seen = next.id;
      }
      const std::size_t n = std::min(max - written, client.sending->size() - client.offset);
      std::memcpy(buf + written, client.sending->data() + client.offset, n);
      written += n;
      client.offset += n;
    }
    if (written > 0) {
      client.last_sent = Clock::now();
      return static_cast<ssize_t>(written);
    }
    if (Clock::now() - client.last_sent >= heartbeat_) {
      client.sending = heartbeat_wire_;
      continue;
    }
    // Nothing to send: wait, suspended, for Wake(), Sweep() or CloseAll().
    // Checking for a new event under the lock that Wake() takes closes the
    // race with a Publish() between the check above and the suspension.
    std::lock_guard lock(wait_mutex_);
    if (closing_) return MHD_CONTENT_READER_END_OF_STREAM;
    if (client.stream->last_id() > client.seen) continue;
    waiting_.push_back(&client);
    MHD_suspend_connection(client.connection);
    return 0;
  }
}

void SseHub::Wake(const EventStream& stream) {
  {
    std::lock_guard lock(wait_mutex_);
    std::erase_if(waiting_, [&stream](Client* client) {
      if (client->stream != &stream) return false;
      MHD_resume_connection(client->connection);
      return true;
    });
  }
  wake_loop_();
}

void SseHub::Sweep() {
  const auto now = Clock::now();
  {
    std::lock_guard lock(wait_mutex_);
    std::erase_if(waiting_, [&](Client* client) {
      if (now - client->last_sent < heartbeat_) return false;
      MHD_resume_connection(client->connection);
      return true;
    });
  }
  // A client that does not read leaves its socket unwritable, so MHD stops
  // asking it for data; close it here once its next event has left the ring.
  for (Client* client : open_) {
    if (!client->reload_first && client->fd >= 0 && client->stream->Missed(client->seen)) {
      shutdown(client->fd, SHUT_RDWR);
      client->fd = -1;
    }
  }
}

void SseHub::CloseAll() {
  {
    std::lock_guard lock(wait_mutex_);
    closing_ = true;
    for (Client* client : waiting_) MHD_resume_connection(client->connection);
    waiting_.clear();
  }
  wake_loop_();
}

}  // namespace playlake::serve
