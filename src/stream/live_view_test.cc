// The live view as a user sees it: plays produced with kcat to a real broker,
// landed by `playlake stream`, gold built, then `playlake serve` reading the
// topic on its own for /api/live and its Server-Sent Events stream.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "stream/mock_broker.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

using nlohmann::json;
using playlake::testing::Background;
using playlake::testing::Dashboard;
using playlake::testing::RunPlaylake;
using playlake::testing::RunShell;
using playlake::testing::TempDir;
using namespace playlake::stream_test;

// What the server sends on `port` for a GET of `path` with `headers` (each
// line ending in \r\n), read for at most `seconds`, stopping once `until` has
// appeared `times` times.
std::string RawGet(int port, const std::string& path, const std::string& headers,
                   const std::string& until, int times, int seconds) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  // HTTP/1.0: the body comes as it is, not in chunks.
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" + headers + "\r\n";
  (void)!write(fd, request.data(), request.size());
  timeval timeout{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::string received;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto count = [&] {
    int n = 0;
    for (auto at = received.find(until); at != std::string::npos; at = received.find(until, at + 1))
      ++n;
    return n;
  };
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline && count() < times) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n == 0) break;
    if (n > 0) received.append(buffer, static_cast<std::size_t>(n));
  }
  close(fd);
  return received;
}

TEST(LiveView, ServeShowsTheTopicsPlaysByEventTimeAndPushesThem) {
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  TempDir dir;
  // 300 plays within one minute: track tK and artist aK played K*20 times
  // (K = 1..5), 30 listeners, two countries, two devices; then one play two
  // hours older than the rest, which the live view counts as late.
  std::map<std::string, int> tracks, countries, devices;
  std::ofstream keyed(dir / "keyed.txt");
  int n = 0;
  for (int k = 1; k <= 5; ++k) {
    for (int i = 0; i < k * 20; ++i, ++n) {
      const std::string user = "u" + std::to_string(n % 30);
      const std::string country = n % 3 == 0 ? "JP" : "SE";
      const std::string device = n % 2 == 0 ? "mobile" : "desktop";
      ++tracks["t" + std::to_string(k)];
      ++countries[country];
      ++devices[device];
      keyed << user << '\t'
            << json{{"event_id", "e" + std::to_string(n)},
                    {"ts", 1796126400000 + n * 150},  // 2026-12-01T12:00:00Z onwards
                    {"user_id", user},
                    {"track_id", "t" + std::to_string(k)},
                    {"artist_name", "a" + std::to_string(k)},
                    {"ms_played", 180000},
                    {"country", country},
                    {"device", device}}
                   .dump()
            << '\n';
    }
  }
  keyed << "u0\t"
        << json{{"event_id", "late"}, {"ts", 1796126400000 - 7200000}, {"user_id", "u0"},
                {"track_id", "t1"},   {"ms_played", 180000},           {"country", "JP"}}
               .dump()
        << '\n';
  keyed.close();
  const std::string bootstrap = (*broker)->bootstrap();
  const auto produced =
      RunShell("kcat -P -b " + bootstrap + " -t plays -K '\t' < " + (dir / "keyed.txt").string());
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;

  // The lake and gold follow the stream; the live view reads the topic itself.
  const auto project = dir / "project";
  WriteKafkaProject(project, bootstrap, "plays", "g1");
  {
    Background stream({"stream", "--project", project.string()}, dir / "stream.log");
    ASSERT_TRUE(WaitForOffsets(project / "lake", {{0, 301}}, 60)) << stream.log();
    ASSERT_EQ(stream.Stop(), 0) << stream.log();
  }
  const auto built = RunPlaylake("build --project " + project.string());
  ASSERT_EQ(built.exit_code, 0) << built.stderr_text;
  Dashboard serve(project, dir / "serve.log");
  ASSERT_NE(serve.port(), 0) << serve.log();

  httplib::Client client("127.0.0.1", serve.port());
  json live;
  for (int i = 0; i < 200; ++i) {
    auto res = client.Get("/api/live");
    ASSERT_TRUE(res) << serve.log();
    ASSERT_EQ(res->status, 200) << res->body;
    live = json::parse(res->body);
    if (live["accepted_plays"] == 300 && live["late_plays"] == 1 && live["lag"].is_object() &&
        live["lag"]["messages"] == 0) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(live["accepted_plays"], 300) << live.dump() << serve.log();
  EXPECT_EQ(live["late_plays"], 1) << live.dump();
  EXPECT_EQ(live["lag"]["messages"], 0) << live.dump();
  // Exact over the window: the counts produced, most played first.
  json top = json::array();
  for (int k = 5; k >= 1; --k) top.push_back({{"key", "t" + std::to_string(k)}, {"plays", k * 20}});
  EXPECT_EQ(live["top_tracks"]["rows"], top) << live.dump();
  EXPECT_EQ(live["top_artists"]["rows"][0], (json{{"key", "a5"}, {"plays", 100}}));
  EXPECT_EQ(live["countries"]["rows"], (json{{{"key", "SE"}, {"plays", countries["SE"]}},
                                             {{"key", "JP"}, {"plays", countries["JP"]}}}));
  EXPECT_EQ(live["devices"]["rows"], (json{{{"key", "desktop"}, {"plays", devices["desktop"]}},
                                           {{"key", "mobile"}, {"plays", devices["mobile"]}}}));
  EXPECT_NEAR(live["active_listeners"]["estimate"].get<double>(), 30, 2);  // HyperLogLog

  // The same snapshot, pushed, its id its position (301 messages read). From
  // Last-Event-ID 0, the stream starts with the snapshots it still holds.
  const std::string pushed =
      RawGet(serve.port(), "/api/live/stream", "Last-Event-ID: 0\r\n", "\n\n", 1, 10);
  EXPECT_NE(pushed.find("Content-Type: text/event-stream"), std::string::npos) << pushed;
  EXPECT_NE(pushed.find("id: 301\nevent: snapshot\n"), std::string::npos) << pushed;
  const auto data = pushed.find("data: ");
  ASSERT_NE(data, std::string::npos) << pushed;
  const json event = json::parse(pushed.substr(data + 6, pushed.find('\n', data) - data - 6));
  EXPECT_EQ(event["top_tracks"], live["top_tracks"]);
  EXPECT_EQ(event["position"], 301);
  EXPECT_EQ(live["position"], 301);
  EXPECT_EQ(live["available"], true);
}

// Plays n = first .. first+count-1, keyed by listener (so spread over the
// topic's partitions), produced with kcat: track "t{n % 7}", country "SE" or
// "JP", all within a few seconds of event time.
void ProducePlays(const std::string& bootstrap, const std::filesystem::path& dir, int first,
                  int count) {
  const auto file = dir / ("plays-" + std::to_string(first) + ".txt");
  {
    std::ofstream out(file);
    for (int n = first; n < first + count; ++n) {
      const std::string user = "u" + std::to_string(n % 41);
      out << user << '\t'
          << json{{"event_id", "e" + std::to_string(n)},
                  {"ts", 1796126400000 + n * 5},
                  {"user_id", user},
                  {"track_id", "t" + std::to_string(n % 7)},
                  {"ms_played", 180000},
                  {"country", n % 3 == 0 ? "JP" : "SE"},
                  {"device", "mobile"}}
                 .dump()
          << '\n';
    }
  }
  const auto produced =
      RunShell("kcat -P -b " + bootstrap + " -t plays -K '\t' < " + file.string());
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
}

// `playlake demo` (gold built) with the Kafka source `plays` on `bootstrap` added.
std::filesystem::path DemoWithKafka(const std::filesystem::path& dir,
                                    const std::string& bootstrap) {
  const auto project = dir / "demo";
  const auto demo = RunPlaylake("demo --no-serve --users 20 --days 2 --dir " + project.string());
  EXPECT_EQ(demo.exit_code, 0) << demo.stderr_text;
  std::ofstream(project / "playlake.yml", std::ios::app)
      << "  - name: live\n    format: playlake\n    kafka:\n      brokers: " << bootstrap
      << "\n      topics: plays\n      group: g1\n      properties:\n"
      << "        fetch.wait.max.ms: 5\n";
  return project;
}

// An EventSource over a raw socket from its own loopback address (the server
// allows 64 connections per address): it parses the events as they arrive
// and, when the stream ends, reconnects with Last-Event-ID as a browser does.
struct Resuming {
  std::string address;
  int fd = -1;
  bool in_body = false;
  std::string pending;
  std::string last_id;
  int connections = 0;
  std::vector<std::string> types;  // of every event received, in order
  std::vector<std::pair<std::uint64_t, json>> snapshots;

  void Connect(int port) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{}, remote{};
    local.sin_family = remote.sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &local.sin_addr);
    remote.sin_port = htons(static_cast<std::uint16_t>(port));
    remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
        connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
      Close();
      return;
    }
    // HTTP/1.0: the body is the stream itself, not chunked.
    std::string request = "GET /api/live/stream HTTP/1.0\r\nHost: 127.0.0.1\r\n";
    if (!last_id.empty()) request += "Last-Event-ID: " + last_id + "\r\n";
    request += "Accept: text/event-stream\r\n\r\n";
    (void)!write(fd, request.data(), request.size());
    fcntl(fd, F_SETFL, O_NONBLOCK);
    in_body = false;
    pending.clear();
    ++connections;
  }
  void Close() {
    if (fd >= 0) close(fd);
    fd = -1;
  }
  void Take(std::string_view bytes) {
    pending += bytes;
    if (!in_body) {
      const auto end = pending.find("\r\n\r\n");
      if (end == std::string::npos) return;
      pending.erase(0, end + 4);
      in_body = true;
    }
    for (auto end = pending.find("\n\n"); end != std::string::npos; end = pending.find("\n\n")) {
      std::string id, type, data;
      std::size_t start = 0;
      while (start <= end) {
        const std::size_t eol = pending.find('\n', start);
        const std::string line = pending.substr(start, eol - start);
        start = eol + 1;
        if (line.rfind("id: ", 0) == 0) id = line.substr(4);
        if (line.rfind("event: ", 0) == 0) type = line.substr(7);
        if (line.rfind("data: ", 0) == 0) data = line.substr(6);
      }
      pending.erase(0, end + 2);
      if (type.empty()) continue;  // a heartbeat
      types.push_back(type);
      if (!id.empty()) last_id = id;
      if (type == "snapshot") snapshots.emplace_back(std::stoull(id), json::parse(data));
    }
  }
};

// Reads every client's stream, reconnecting the closed ones to `port` every
// 200 ms, until `done` or `seconds` have passed; true when done.
bool Follow(std::vector<Resuming>& clients, int port, int seconds,
            const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  auto next_connect = std::chrono::steady_clock::now();
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    if (std::chrono::steady_clock::now() >= next_connect) {
      for (auto& c : clients) {
        if (c.fd < 0) c.Connect(port);
      }
      next_connect = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    }
    std::vector<pollfd> fds;
    for (auto& c : clients) fds.push_back({c.fd, POLLIN, 0});
    poll(fds.data(), fds.size(), 50);
    char buffer[65536];
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (clients[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = read(clients[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        clients[i].Take(std::string_view(buffer, static_cast<std::size_t>(n)));
      } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        clients[i].Close();
      }
    }
  }
  return true;
}

// What a snapshot event promises: its id is its position (the messages of
// the topic it has read, here every one a play), and it counts each of them
// exactly once. A client resuming with Last-Event-ID P receives only the
// snapshots after P, in order; as each is a whole state, the one that
// follows a restart covers everything the client had and everything since.
TEST(LiveView, HundredClientsResumeThroughAServeRestartWithoutGapOrRepeat) {
  auto broker = MockBroker::Start({{"plays", 2}});
  ASSERT_TRUE(broker) << broker.error().message;
  TempDir dir;
  const std::string bootstrap = (*broker)->bootstrap();
  const auto project = DemoWithKafka(dir.path(), bootstrap);
  ProducePlays(bootstrap, dir.path(), 0, 300);

  std::optional<Dashboard> first(std::in_place, project, dir / "serve1.log");
  const int port = first->port();
  ASSERT_NE(port, 0) << first->log();
  std::vector<Resuming> clients(100);
  for (std::size_t i = 0; i < clients.size(); ++i) {
    clients[i].address = "127.0.0." + std::to_string(1 + i % 4);
  }
  const auto all_at = [&clients](std::uint64_t position) {
    return [&clients, position] {
      for (const auto& c : clients) {
        if (c.snapshots.empty() || c.snapshots.back().first < position) return false;
      }
      return true;
    };
  };
  // Connected, each client gets the snapshots after the 300 plays it joined at.
  ASSERT_TRUE(Follow(clients, port, 10, [&clients] {
    for (const auto& c : clients) {
      if (c.connections == 0 || c.fd < 0) return false;
    }
    return true;
  }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ProducePlays(bootstrap, dir.path(), 300, 200);
  ASSERT_TRUE(Follow(clients, port, 60, all_at(500))) << first->log();

  // Stopped: the clients retry; 200 plays arrive meanwhile; the same port again.
  first.reset();
  ProducePlays(bootstrap, dir.path(), 500, 200);
  Follow(clients, port, 1, [] { return false; });
  Background second(std::vector<std::string>{"serve", "--project", project.string(), "--port",
                                             std::to_string(port)},
                    dir / "serve2.log");
  ASSERT_TRUE(Follow(clients, port, 60, all_at(700))) << second.log();
  ProducePlays(bootstrap, dir.path(), 700, 100);
  ASSERT_TRUE(Follow(clients, port, 60, all_at(800))) << second.log();

  std::map<std::string, int> tracks;
  for (int n = 0; n < 800; ++n) ++tracks["t" + std::to_string(n % 7)];
  for (const auto& c : clients) {
    EXPECT_GE(c.connections, 2) << c.address;  // it did go through the restart
    EXPECT_EQ(std::count(c.types.begin(), c.types.end(), "reload"), 0) << c.address;
    ASSERT_FALSE(c.snapshots.empty());
    std::uint64_t previous = 0;
    bool crossed = false;
    for (const auto& [id, snapshot] : c.snapshots) {
      EXPECT_GT(id, previous) << "a repeat or a step back for " << c.address;
      EXPECT_EQ(snapshot["position"], id);
      EXPECT_EQ(snapshot["accepted_plays"], id) << "each play read counted once";
      EXPECT_EQ(snapshot["late_plays"], 0);
      crossed |= previous <= 500 && id >= 700;
      previous = id;
    }
    EXPECT_TRUE(crossed) << "no snapshot before and after the restart for " << c.address;
    json top = json::array();
    for (const auto& [track, plays] : tracks) top.push_back({{"key", track}, {"plays", plays}});
    std::sort(top.begin(), top.end(), [](const json& a, const json& b) {
      return a["plays"] != b["plays"] ? a["plays"] > b["plays"] : a["key"] < b["key"];
    });
    EXPECT_EQ(c.snapshots.back().second["top_tracks"]["rows"], top);
  }
  for (auto& c : clients) c.Close();
}

// A project without a Kafka source has no live view, and says so.
TEST(LiveView, AProjectWithoutKafkaHasNone) {
  TempDir dir;
  const auto demo =
      RunPlaylake("demo --no-serve --users 20 --days 2 --dir " + (dir / "demo").string());
  ASSERT_EQ(demo.exit_code, 0) << demo.stderr_text;
  Dashboard serve(dir / "demo", dir / "serve.log");
  ASSERT_NE(serve.port(), 0) << serve.log();
  httplib::Client client("127.0.0.1", serve.port());
  auto res = client.Get("/api/live");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, R"({"available":false})");
  EXPECT_EQ(client.Get("/api/live/stream")->status, 404);
}

}  // namespace
}  // namespace playlake::stream
