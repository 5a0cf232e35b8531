// `playlake serve --from clickhouse` against `playlake serve` on DuckDB: a
// project of real data (Sparkify's event logs and two listeners' Spotify
// exports) built and published by a real `playlake run` to a real
// clickhouse-server, then every endpoint of both dashboards asked the same
// requests, with and without filters: the answers must be the same JSON.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "cli/test_util.h"
#include "publish/test_clickhouse.h"
#include "testing/testing.h"

namespace playlake::publish {
namespace {

using nlohmann::json;

struct Answer {
  int status = 0;
  json body;
};

Answer Get(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60);
  auto res = client.Get(path);
  if (!res) return {};
  return {res->status, json::parse(res->body, nullptr, false)};
}

class ServeClickHouseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    clickhouse_ = new TestClickHouse();
    dir_ = new playlake::testing::TempDir();
    const auto project = dir_->path();
    const auto history = playlake::testing::RealData() / "spotify_history";
    cli_test::WriteText(
        project / "playlake.yml",
        fmt::format("name: radio\nsources:\n"
                    "  - {{name: events, format: eventsim, path: data/events}}\n"
                    "  - {{name: efrrowini, path: \"{}\", user: efrrowini}}\n"
                    "  - {{name: lukaszamora, path: \"{}\", user: lukaszamora}}\n"
                    "publish:\n  clickhouse: {{url: \"{}\"}}\n",
                    (history / "Streaming_History_*.json").string(),
                    (history / "StreamingHistory3.json").string(),
                    clickhouse_->Target("").url));
    std::filesystem::create_directories(project / "data" / "events");
    for (int day = 1; day <= 7; ++day) {
      cli_test::AddSparkifyDay(project, fmt::format("2018-11-{:02}", day));
    }
    const auto run = playlake::testing::RunPlaylake("run --project " + project.string());
    ASSERT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
    duckdb_ = new playlake::testing::Dashboard(project, project / "duckdb.out",
                                               {"--no-schedule", "--cache-entries", "0"});
    ASSERT_NE(duckdb_->port(), 0) << "playlake serve did not start: " << duckdb_->log();
    from_clickhouse_ = new playlake::testing::Dashboard(
        project, project / "clickhouse.out", {"--no-schedule", "--from", "clickhouse"});
    ASSERT_NE(from_clickhouse_->port(), 0)
        << "playlake serve --from clickhouse did not start: " << from_clickhouse_->log();
  }

  static void TearDownTestSuite() {
    delete from_clickhouse_;
    delete duckdb_;
    delete dir_;
    delete clickhouse_;
  }

  // Asks both dashboards `path`; expects the same status and the same JSON.
  // Returns DuckDB's answer.
  static json ExpectSameAnswers(const std::string& path, int status = 200) {
    const Answer duck = Get(duckdb_->port(), path);
    const Answer click = Get(from_clickhouse_->port(), path);
    EXPECT_EQ(duck.status, status) << path << ": " << duck.body.dump();
    EXPECT_EQ(click.status, status) << path << ": " << click.body.dump();
    if (!duck.body.is_object() || !click.body.is_object()) {
      ADD_FAILURE() << path << ": not JSON objects";
      return json();
    }
    for (const auto& [key, value] : duck.body.items()) {
      EXPECT_EQ(value.dump(), click.body.value(key, json()).dump()) << path << " ." << key;
    }
    EXPECT_EQ(duck.body.size(), click.body.size()) << path;
    return duck.body;
  }

  static TestClickHouse* clickhouse_;
  static playlake::testing::TempDir* dir_;
  static playlake::testing::Dashboard* duckdb_;
  static playlake::testing::Dashboard* from_clickhouse_;
};

TestClickHouse* ServeClickHouseTest::clickhouse_ = nullptr;
playlake::testing::TempDir* ServeClickHouseTest::dir_ = nullptr;
playlake::testing::Dashboard* ServeClickHouseTest::duckdb_ = nullptr;
playlake::testing::Dashboard* ServeClickHouseTest::from_clickhouse_ = nullptr;

TEST_F(ServeClickHouseTest, EveryEndpointAnswersAsFromDuckDbWithAndWithoutFilters) {
  const json filters = ExpectSameAnswers("/api/filters");
  ASSERT_TRUE(filters.contains("countries") && !filters["countries"].empty()) << filters.dump();
  // A range inside the data: the last three of the Sparkify week.
  const std::string range = "from=2018-11-05&to=2018-11-07";
  // The most played known country, device and level (the lists start with "unknown").
  const auto known = [&filters](const char* list) {
    for (const json& value : filters[list]) {
      if (value != "unknown") return value.get<std::string>();
    }
    ADD_FAILURE() << list << ": only unknown in " << filters.dump();
    return std::string("unknown");
  };
  const std::string country = std::string("country=") + known("countries");
  const std::string device = std::string("device=") + known("devices");
  const std::string level = std::string("level=") + known("levels");
  const std::vector<std::string> requests = {
      "", range, country, device, level, range + "&" + country + "&" + device + "&" + level};
  for (const char* endpoint : {"filters", "overview", "trending", "artists", "geography",
                               "devices", "listeners", "listener", "shows"}) {
    for (const std::string& query : requests) {
      ExpectSameAnswers(fmt::format("/api/{}?{}", endpoint, query));
    }
  }
  // The answers are not empty: the filters select real plays.
  const json overview = ExpectSameAnswers("/api/overview?" + range);
  EXPECT_GT(overview["kpis"].value("plays", 0), 0) << overview.dump();
  const json shows = ExpectSameAnswers("/api/shows");
  EXPECT_FALSE(shows["shows"].empty()) << "the Spotify exports hold podcasts: " << shows.dump();

  // The listener page of each kind of listener, and of a Sparkify one.
  const json listeners = ExpectSameAnswers("/api/listener");
  ASSERT_GE(listeners["listeners"].size(), 3u) << listeners.dump();
  for (const std::string& user :
       {std::string("efrrowini"), std::string("lukaszamora"),
        listeners["listeners"][2]["user_id"].get<std::string>()}) {
    const json page = ExpectSameAnswers("/api/listener?user=" + user);
    EXPECT_GT(page["summary"].value("plays", 0), 0) << user << ": " << page.dump();
    for (const std::string& query : requests) {
      ExpectSameAnswers("/api/listener?user=" + user + "&" + query);
    }
  }
  // A listener id with a quote and a backslash is a value, never SQL.
  ExpectSameAnswers("/api/listener?user=o%27brien%5C%27%20or%201%3D1", 400);
}

TEST_F(ServeClickHouseTest, ClickHouseDownAnswers503ThenServesAgain) {
  clickhouse_->Stop();
  const Answer down = Get(from_clickhouse_->port(), "/api/overview");
  EXPECT_EQ(down.status, 503) << down.body.dump();
  EXPECT_NE(down.body.dump().find("ClickHouse at http://127.0.0.1:"), std::string::npos)
      << down.body.dump();
  clickhouse_->Start();
  const Answer up = Get(from_clickhouse_->port(), "/api/overview");
  EXPECT_EQ(up.status, 200) << up.body.dump();
}

}  // namespace
}  // namespace playlake::publish
