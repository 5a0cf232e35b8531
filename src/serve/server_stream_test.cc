// Server-Sent Events over real sockets on 127.0.0.1: order, resume with
// Last-Event-ID, many clients at once, heartbeats, slow readers, Stop().
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "serve/server.h"

namespace playlake::serve {
namespace {

using std::chrono::seconds;

struct Event {
  std::string id, type, data;
};

// An EventSource-like client on its own thread, parsing the stream as it
// arrives. It stops after `max_events` events (0: never) or when the server
// closes the stream.
class SseReader {
 public:
  SseReader(int port, std::optional<std::uint64_t> last_event_id = std::nullopt,
            std::size_t max_events = 0)
      : max_events_(max_events) {
    thread_ = std::thread([this, port, last_event_id] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(seconds(60));
      httplib::Headers headers = {{"Accept", "text/event-stream"}};
      if (last_event_id) headers.emplace("Last-Event-ID", std::to_string(*last_event_id));
      auto res = client.Get(
          "/api/live/stream", headers,
          [this](const httplib::Response& response) {
            std::lock_guard lock(mutex_);
            status_ = response.status;
            headers_ = response.headers;
            return true;
          },
          [this](const char* data, std::size_t size) { return Take(std::string(data, size)); });
      std::lock_guard lock(mutex_);
      ended_ = true;
      changed_.notify_all();
    });
  }
  ~SseReader() { Join(); }

  void Join() {
    if (thread_.joinable()) thread_.join();
  }

  // The events so far, once there are at least `count` (or the wait ran out).
  std::vector<Event> WaitFor(std::size_t count, int wait_seconds = 30) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, seconds(wait_seconds),
                      [&] { return events_.size() >= count || ended_; });
    return events_;
  }
  int WaitForHeartbeat(int wait_seconds) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, seconds(wait_seconds), [&] { return heartbeats_ > 0 || ended_; });
    return heartbeats_;
  }
  bool ended() {
    std::lock_guard lock(mutex_);
    return ended_;
  }
  int status() {
    std::lock_guard lock(mutex_);
    return status_;
  }
  std::string header(const std::string& name) {
    std::lock_guard lock(mutex_);
    auto it = headers_.find(name);
    return it == headers_.end() ? "" : it->second;
  }

 private:
  bool Take(const std::string& bytes) {
    std::lock_guard lock(mutex_);
    pending_ += bytes;
    std::size_t end;
    while ((end = pending_.find("\n\n")) != std::string::npos) {
      const std::string block = pending_.substr(0, end + 1);
      pending_.erase(0, end + 2);
      Event event;
      bool comment_only = true;
      std::size_t start = 0;
      while (start < block.size()) {
        const std::size_t eol = block.find('\n', start);
        const std::string line = block.substr(start, eol - start);
        start = eol + 1;
        if (!line.empty() && line[0] == ':') continue;
        comment_only = false;
        const std::size_t colon = line.find(": ");
        const std::string field = line.substr(0, colon);
        const std::string value = colon == std::string::npos ? "" : line.substr(colon + 2);
        if (field == "id") event.id = value;
        if (field == "event") event.type = value;
        if (field == "data") event.data += (event.data.empty() ? "" : "\n") + value;
      }
      if (comment_only) {
        ++heartbeats_;
      } else {
        events_.push_back(event);
      }
    }
    changed_.notify_all();
    return max_events_ == 0 || events_.size() < max_events_;
  }

  const std::size_t max_events_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::string pending_;
  std::vector<Event> events_;
  int heartbeats_ = 0;
  int status_ = 0;
  httplib::Headers headers_;
  bool ended_ = false;
  std::thread thread_;
};

class ServerStreamTest : public ::testing::Test {
 protected:
  void Start(ServerOptions options = {}, std::size_t ring = 64) {
    options.port = 0;
    stream_ = std::make_shared<EventStream>(ring);
    auto server = Server::Create(options);
    ASSERT_TRUE(server.has_value()) << server.error().message;
    server_ = std::move(*server);
    server_->AddStream("live/stream", stream_);
    server_->AddApi("ping", [](const Params&) -> Result<nlohmann::json> {
      return nlohmann::json{{"pong", true}};
    });
    ASSERT_TRUE(server_->Start());
  }

  // The server's own count of open streams, from /metrics.
  int Clients() {
    httplib::Client client("127.0.0.1", server_->port());
    auto res = client.Get("/metrics");
    if (!res) return -1;
    const std::string key = "\nplaylake_stream_clients ";
    const auto at = res->body.find(key);
    return at == std::string::npos ? -1 : std::stoi(res->body.substr(at + key.size()));
  }
  bool WaitForClients(int count, int wait_seconds = 30) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(wait_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
      if (Clients() == count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
  void Publish(int count) {
    for (int i = 0; i < count; ++i) stream_->Publish("play", "{\"n\":" + std::to_string(i) + "}");
  }
  static std::vector<std::string> Ids(const std::vector<Event>& events) {
    std::vector<std::string> ids;
    for (const auto& event : events) ids.push_back(event.id);
    return ids;
  }
  static std::vector<std::string> Range(std::uint64_t first, std::uint64_t last) {
    std::vector<std::string> ids;
    for (auto id = first; id <= last; ++id) ids.push_back(std::to_string(id));
    return ids;
  }

  std::shared_ptr<EventStream> stream_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerStreamTest, EventsArriveInOrderWithStreamHeaders) {
  Start();
  SseReader reader(server_->port());
  ASSERT_TRUE(WaitForClients(1));
  stream_->Publish("snapshot", "{\"a\":1}\n{\"b\":2}");
  Publish(49);
  const auto events = reader.WaitFor(50);
  ASSERT_EQ(Ids(events), Range(1, 50));
  EXPECT_EQ(events[0].type, "snapshot");
  EXPECT_EQ(events[0].data, "{\"a\":1}\n{\"b\":2}");
  EXPECT_EQ(events[49].type, "play");
  EXPECT_EQ(events[49].data, "{\"n\":48}");
  EXPECT_EQ(reader.status(), 200);
  EXPECT_EQ(reader.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(reader.header("Cache-Control"), "no-cache");
  EXPECT_EQ(reader.header("X-Accel-Buffering"), "no");
  server_->Stop();  // ends the stream
  reader.Join();
  EXPECT_TRUE(reader.ended());
}

TEST_F(ServerStreamTest, ReconnectWithLastEventIdGetsNoGapAndNoRepeat) {
  ServerOptions options;
  // A client that hangs up while its stream waits is noticed at the next
  // write: an event or, at the latest, the heartbeat.
  options.stream_heartbeat_seconds = 1;
  Start(options);
  {
    SseReader first(server_->port(), std::nullopt, 10);
    ASSERT_TRUE(WaitForClients(1));
    Publish(10);
    ASSERT_EQ(Ids(first.WaitFor(10)), Range(1, 10));
  }
  ASSERT_TRUE(WaitForClients(0));
  Publish(15);  // 11..25 while the client is away
  SseReader again(server_->port(), 10);
  ASSERT_TRUE(WaitForClients(1));
  Publish(5);  // 26..30 live
  EXPECT_EQ(Ids(again.WaitFor(20)), Range(11, 30));
  server_->Stop();
}

TEST_F(ServerStreamTest, LastEventIdOlderThanTheRingAsksForAReload) {
  Start({}, 8);
  Publish(20);  // the ring holds 13..20
  SseReader resumed(server_->port(), 12);
  SseReader stale(server_->port(), 3);
  ASSERT_TRUE(WaitForClients(2));
  Publish(1);
  EXPECT_EQ(Ids(resumed.WaitFor(9)), Range(13, 21));
  const auto events = stale.WaitFor(2);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, "reload");
  EXPECT_EQ(events[0].id, "");
  EXPECT_EQ(events[1].id, "21");
  server_->Stop();
}

TEST_F(ServerStreamTest, MalformedLastEventIdIs400) {
  Start();
  httplib::Client client("127.0.0.1", server_->port());
  auto res = client.Get("/api/live/stream", {{"Last-Event-ID", "12abc"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(res->body.find("Last-Event-ID"), std::string::npos);
}

TEST_F(ServerStreamTest, HundredClientsReceiveEveryEventWhileTheApiAnswers) {
  ServerOptions options;
  options.max_connections_per_client = 256;
  Start(options, 512);
  std::vector<std::unique_ptr<SseReader>> readers;
  for (int i = 0; i < 100; ++i) readers.push_back(std::make_unique<SseReader>(server_->port()));
  ASSERT_TRUE(WaitForClients(100));
  std::thread publisher([this] {
    for (int i = 0; i < 200; ++i) {
      Publish(1);
      if (i % 20 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  });
  httplib::Client client("127.0.0.1", server_->port());
  int answered = 0;
  for (int i = 0; i < 20; ++i) {
    auto res = client.Get("/api/ping");
    if (res && res->status == 200) ++answered;
  }
  publisher.join();
  EXPECT_EQ(answered, 20);
  for (auto& reader : readers) EXPECT_EQ(Ids(reader->WaitFor(200)), Range(1, 200));
  server_->Stop();
  for (auto& reader : readers) {
    reader->Join();
    EXPECT_TRUE(reader->ended());
  }
}

// An answer made on a worker and an event published from another thread go
// out at once, not when the event loop next wakes by itself (here after 60 s):
// whoever resumes a connection wakes the loop.
TEST_F(ServerStreamTest, AnswersAndEventsDoNotWaitForTheLoopToWake) {
  ServerOptions options;
  options.loop_sleep_milliseconds = 60'000;
  Start(options);
  SseReader reader(server_->port());
  ASSERT_TRUE(WaitForClients(1));  // /metrics too is answered on a worker
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(seconds(10));
  for (int i = 0; i < 5; ++i) {
    auto res = client.Get("/api/ping");
    ASSERT_TRUE(res) << "request " << i << " had no answer within 10 s";
    EXPECT_EQ(res->status, 200);
  }
  for (std::uint64_t id = 1; id <= 3; ++id) {
    Publish(1);
    EXPECT_EQ(Ids(reader.WaitFor(id, 10)), Range(1, id)) << "event " << id << " within 10 s";
  }
  server_->Stop();
  reader.Join();
}

TEST_F(ServerStreamTest, AnIdleStreamGetsHeartbeats) {
  ServerOptions options;
  options.stream_heartbeat_seconds = 1;
  Start(options);
  SseReader reader(server_->port());
  EXPECT_GE(reader.WaitForHeartbeat(20), 1);
  EXPECT_TRUE(reader.WaitFor(1, 0).empty());
  server_->Stop();
}

TEST_F(ServerStreamTest, AClientThatNeverReadsIsClosedOnceItFallsBehindTheRing) {
  Start({}, 8);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  const int small = 4096;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(server_->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string request = "GET /api/live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  ASSERT_TRUE(WaitForClients(1));
  // 64 MiB of events, far more than the socket buffers on both sides hold.
  const std::string big(256 * 1024, 'x');
  for (int i = 0; i < 256; ++i) stream_->Publish("play", big);
  EXPECT_TRUE(WaitForClients(0))
      << "the server still holds the stream of a client that never reads";
  // Reading now finds the end of the stream after a part of what was published.
  std::size_t received = 0;
  char buffer[65536];
  while (true) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received += static_cast<std::size_t>(n);
  }
  close(fd);
  EXPECT_LT(received, 256u * big.size());
  server_->Stop();
}

}  // namespace
}  // namespace playlake::serve
