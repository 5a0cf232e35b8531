// The live view as a user sees it: plays produced with kcat to a real broker,
// landed by `playlake stream`, gold built, then `playlake serve` reading the
// topic on its own for /api/live and its Server-Sent Events stream.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
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

// What the server sends on `port` for a GET of `path`, read for at most
// `seconds`, stopping once `until` has appeared `times` times.
std::string RawGet(int port, const std::string& path, const std::string& until, int times,
                   int seconds) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  const std::string request = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
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

  // The same snapshot, pushed: an event stream with a new snapshot each second.
  const std::string pushed = RawGet(serve.port(), "/api/live/stream", "event: snapshot", 2, 10);
  EXPECT_NE(pushed.find("Content-Type: text/event-stream"), std::string::npos) << pushed;
  const auto data = pushed.find("data: ");  // the first event: complete, a second one began
  ASSERT_NE(data, std::string::npos) << pushed;
  const json event = json::parse(pushed.substr(data + 6, pushed.find('\n', data) - data - 6));
  EXPECT_EQ(event["top_tracks"], live["top_tracks"]);
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
