// Hostile clients: idle and slow-header sockets, amplification attempts,
// pipelining and oversized headers, against a real Server on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "serve/server.h"
#include "testing/testing.h"

namespace playlake::serve {
namespace {

using Clock = std::chrono::steady_clock;

// A TCP connection to 127.0.0.1:port from the loopback address `source`
// (so one test can play several clients); closed when destroyed.
class RawSocket {
 public:
  RawSocket(const std::string& source, int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<std::uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0 ||
        connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawSocket() {
    if (fd_ >= 0) close(fd_);
  }
  RawSocket(RawSocket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  RawSocket(const RawSocket&) = delete;
  RawSocket& operator=(const RawSocket&) = delete;

  bool connected() const { return fd_ >= 0; }

  bool Send(const std::string& data) {
    return fd_ >= 0 &&
           send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }

  // Everything the server sends until it closes the connection, `until`
  // appears `times` times, or `seconds` pass.
  std::string Read(int seconds, const std::string& until = "", int times = 1) {
    std::string out;
    const auto deadline = Clock::now() + std::chrono::seconds(seconds);
    while (fd_ >= 0 && Clock::now() < deadline) {
      if (!until.empty() && Count(out, until) >= times) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char buffer[65536];
      const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

  // True while the server has neither closed nor written to the connection.
  bool OpenAndSilent() const {
    char byte;
    return fd_ >= 0 && recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN;
  }

  static int Count(const std::string& text, const std::string& what) {
    int n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  }

 private:
  int fd_ = -1;
};

// "127.0.0.N": the hostile clients come from addresses of their own.
std::string Loopback(int n) { return "127.0.0." + std::to_string(n); }

void RaiseOpenFileLimit() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &limit);
}

class ServerLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RaiseOpenFileLimit();
    std::filesystem::create_directories(dir_ / "web");
    std::ofstream(dir_ / "web" / "index.html") << std::string(10000, 'd');
  }

  std::unique_ptr<Server> Start(ServerOptions options = {}) {
    options.port = 0;
    options.static_dir = dir_ / "web";
    auto server = Server::Create(options);
    EXPECT_TRUE(server.has_value()) << server.error().message;
    (*server)->AddApi("echo", [](const Params& params) -> Result<nlohmann::json> {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [name, value] : params) out[name] = value;
      return out;
    });
    EXPECT_TRUE((*server)->Start());
    return std::move(*server);
  }

  // `count` plain requests on fresh connections from 127.0.0.1, each of which
  // must be answered within 2 s (a liveness bound, not a speed goal).
  static void ExpectAnswered(int port, int count) {
    for (int i = 0; i < count; ++i) {
      httplib::Client client("127.0.0.1", port);
      client.set_connection_timeout(2);
      client.set_read_timeout(2);
      auto res = client.Get(i % 2 == 0 ? "/api/echo?n=1" : "/healthz");
      ASSERT_TRUE(res) << "request " << i << " got no answer within 2 s";
      ASSERT_EQ(res->status, 200) << "request " << i;
    }
  }

  testing::TempDir dir_;
};

TEST_F(ServerLimitsTest, IdleAndSlowHeaderConnectionsDoNotStallOthers) {
  ServerOptions options;
  options.request_header_seconds = 120;  // the hostile sockets must outlive the test
  auto server = Start(options);
  const int port = server->port();
  std::vector<RawSocket> idle;
  for (int i = 0; i < 500; ++i) {
    idle.emplace_back(Loopback(10 + i % 10), port);  // 50 from each of 10 addresses
    ASSERT_TRUE(idle.back().connected()) << i;
  }
  std::vector<RawSocket> slow;
  for (int i = 0; i < 50; ++i) {
    slow.emplace_back(Loopback(20 + i % 2), port);
    ASSERT_TRUE(slow.back().Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  }
  // The slow clients trickle one header byte each every 100 ms, never ending
  // their headers, while the normal requests run.
  std::atomic<bool> done = false;
  std::thread trickle([&] {
    while (!done) {
      for (auto& s : slow) s.Send("X");
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  ExpectAnswered(port, 300);
  done = true;
  trickle.join();
  int open = 0;
  for (const auto& s : idle) open += s.OpenAndSilent();
  EXPECT_EQ(open, 500) << "the idle sockets were held for the whole test";
  ExpectAnswered(port, 20);
}

TEST_F(ServerLimitsTest, SlowHeadersAreCutAtTheDeadlineHoweverTheyTrickle) {
  ServerOptions options;
  options.request_header_seconds = 1;
  auto server = Start(options);
  RawSocket slow(Loopback(30), server->port());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
  bool closed = false;
  // A byte every 100 ms keeps any per-read timeout from firing; the whole
  // header's deadline (1 s) still must.
  for (int i = 0; i < 100 && !closed; ++i) {
    closed = !slow.Send("X");
    if (!closed) closed = !slow.Read(0).empty() || !slow.OpenAndSilent();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(closed) << "a header trickled for 10 s was still being read";
}

TEST_F(ServerLimitsTest, ConnectionsPerClientAreCappedAndOthersStillServed) {
  ServerOptions options;
  options.max_connections_per_client = 10;
  auto server = Start(options);
  std::vector<RawSocket> hog;
  for (int i = 0; i < 60; ++i) hog.emplace_back(Loopback(40), server->port());
  int answered = 0;
  std::string pattern;  // Y answered, c closed unanswered
  for (auto& s : hog) {
    s.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    const bool ok = s.Read(2, "\r\n\r\n").find("200 OK") != std::string::npos;
    answered += ok;
    pattern += ok ? 'Y' : 'c';
  }
  // libmicrohttpd admits the odd connection past its per-address limit
  // (seen: 21 or 22 of 30 with a limit of 20); the point is that the 60 are
  // not all held while others are still served.
  EXPECT_GE(answered, 10) << pattern;
  EXPECT_LE(answered, 15) << pattern;
  ExpectAnswered(server->port(), 10);
}

TEST_F(ServerLimitsTest, MultiRangeRequestsGetTheFileOnce) {
  auto server = Start();
  std::string ranges = "bytes=0-";
  for (int i = 0; i < 400; ++i) ranges += ",0-";
  RawSocket client(Loopback(1), server->port());
  ASSERT_TRUE(client.Send("GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nRange: " + ranges +
                          "\r\nConnection: close\r\n\r\n"));
  const std::string answer = client.Read(10);
  ASSERT_FALSE(answer.empty());
  EXPECT_LT(answer.size(), 10000u + 2000u) << "a 10 KB file was sent more than once";
}

TEST_F(ServerLimitsTest, PipelinedRequestsAreEachAnsweredInOrder) {
  auto server = Start();
  RawSocket client(Loopback(1), server->port());
  std::string requests;
  for (int n = 0; n < 5; ++n) {
    requests += "GET /api/echo?n=" + std::to_string(n) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  }
  requests += "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  ASSERT_TRUE(client.Send(requests));
  const std::string answers = client.Read(10, "HTTP/1.1 200", 6);
  ASSERT_EQ(RawSocket::Count(answers, "HTTP/1.1 200"), 6) << answers.substr(0, 2000);
  std::size_t at = 0;
  for (int n = 0; n < 5; ++n) {
    at = answers.find("{\"n\":\"" + std::to_string(n) + "\"}", at);
    ASSERT_NE(at, std::string::npos) << "answer " << n << " missing or out of order: " << answers;
  }
  EXPECT_NE(answers.find(R"({"status":"ok"})", at), std::string::npos) << answers;
  EXPECT_EQ(answers.find("Connection: close"), std::string::npos) << answers;
}

TEST_F(ServerLimitsTest, ARequestWithABodyIsRefusedAndItsConnectionClosed) {
  auto server = Start();
  RawSocket client(Loopback(1), server->port());
  ASSERT_TRUE(
      client.Send("POST /api/echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\n" +
                  std::string(1000, 'x')));
  const std::string answer = client.Read(5, "\r\n\r\n");
  EXPECT_NE(answer.find("HTTP/1.1 405"), std::string::npos) << answer.substr(0, 500);
  EXPECT_NE(answer.find("Connection: close"), std::string::npos) << answer.substr(0, 500);
  ExpectAnswered(server->port(), 2);
}

TEST_F(ServerLimitsTest, OversizedHeadersAreRefused) {
  auto server = Start();
  RawSocket client(Loopback(1), server->port());
  client.Send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + std::string(200000, 'b') +
              "\r\n\r\n");
  const std::string answer = client.Read(5, "\r\n\r\n");
  EXPECT_EQ(answer.find("200 OK"), std::string::npos) << answer.substr(0, 200);
  ExpectAnswered(server->port(), 2);
}

TEST_F(ServerLimitsTest, InvalidUtf8InAParameterIs400) {
  auto server = Start();
  httplib::Client client("127.0.0.1", server->port());
  auto bad_value = client.Get("/api/echo?country=%C3%28");
  ASSERT_TRUE(bad_value);
  EXPECT_EQ(bad_value->status, 400);
  auto bad_name = client.Get("/api/echo?%FF=1");
  ASSERT_TRUE(bad_name);
  EXPECT_EQ(bad_name->status, 400);
  auto good = client.Get("/api/echo?city=G%C3%B6teborg");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 200);
}

}  // namespace
}  // namespace playlake::serve
