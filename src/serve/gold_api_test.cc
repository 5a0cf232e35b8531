// The API on a real pipeline run: `playlake demo` builds a small project, a
// real `playlake serve` answers, and the answers are checked against the
// silver data queried independently with `playlake sql`.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace playlake::serve {
namespace {

using nlohmann::json;
using testing::RunPlaylake;

class GoldApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto project = dir_->path().string();
    const auto demo = RunPlaylake("demo --no-serve --dir " + project +
                                  " --users 150 --days 15 --seed 3 --end 2026-06-30");
    ASSERT_EQ(demo.exit_code, 0) << demo.stderr_text;
    dashboard_ = new testing::Dashboard(project, dir_->path() / "serve.out");
    port_ = dashboard_->port();
    ASSERT_NE(port_, 0) << "playlake serve did not start: " << dashboard_->log();
  }

  static void TearDownTestSuite() {
    delete dashboard_;
    delete dir_;
  }

  static json Get(const std::string& path, int expected_status = 200) {
    httplib::Client client("127.0.0.1", port_);
    auto res = client.Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expected_status) << path << ": " << res->body;
    return json::parse(res->body);
  }

  // One number computed from silver with `playlake sql`, independently of gold.
  static long long SilverCount(const std::string& sql) {
    const auto run =
        RunPlaylake("sql --format csv --project " + dir_->path().string() + " \"" + sql + "\"");
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
    const auto newline = run.stdout_text.find('\n');
    return std::stoll(run.stdout_text.substr(newline + 1));
  }

  static testing::TempDir* dir_;
  static testing::Dashboard* dashboard_;
  static int port_;
};

testing::TempDir* GoldApiTest::dir_ = nullptr;
testing::Dashboard* GoldApiTest::dashboard_ = nullptr;
int GoldApiTest::port_ = 0;

TEST_F(GoldApiTest, OverviewMatchesSilver) {
  const json overview = Get("/api/overview");
  EXPECT_EQ(overview["kpis"]["plays"].get<long long>(), SilverCount("SELECT count(*) FROM plays"));
  EXPECT_EQ(overview["kpis"]["listeners"].get<long long>(),
            SilverCount("SELECT count(DISTINCT user_id) FROM plays"));
  long long daily_sum = 0;
  for (const auto& day : overview["daily"]) daily_sum += day["plays"].get<long long>();
  EXPECT_EQ(daily_sum, overview["kpis"]["plays"].get<long long>());
  EXPECT_EQ(overview["daily"].size(), 15u);
}

TEST_F(GoldApiTest, FiltersNarrowTheAnswer) {
  const json filters = Get("/api/filters");
  ASSERT_GE(filters["countries"].size(), 2u);
  const std::string country = filters["countries"][0];
  const json one = Get("/api/overview?country=" + country + "&from=2026-06-20&device=mobile");
  EXPECT_EQ(one["kpis"]["plays"].get<long long>(),
            SilverCount("SELECT count(*) FROM plays WHERE country = '" + country +
                        "' AND event_date >= DATE '2026-06-20' AND device = 'mobile'"));
  const json geography = Get("/api/geography?country=" + country);
  ASSERT_EQ(geography["countries"].size(), 1u);
  EXPECT_EQ(geography["countries"][0]["country"], country);
}

TEST_F(GoldApiTest, BreakdownsUnderFiltersMatchSilver) {
  const std::string country = Get("/api/filters")["countries"][0];
  const std::string where =
      "country = '" + country + "' AND level = 'paid' AND event_date >= DATE '2026-06-22'";
  const std::string query = "?country=" + country + "&level=paid&from=2026-06-22";
  const long long plays = SilverCount("SELECT count(*) FROM plays WHERE " + where);
  const long long listeners =
      SilverCount("SELECT count(DISTINCT user_id) FROM plays WHERE " + where);
  ASSERT_GT(plays, 0);

  const json geography = Get("/api/geography" + query);
  ASSERT_EQ(geography["countries"].size(), 1u);
  EXPECT_EQ(geography["countries"][0]["plays"].get<long long>(), plays);
  EXPECT_EQ(geography["countries"][0]["listeners"].get<long long>(), listeners);

  const json devices = Get("/api/devices" + query);
  long long device_plays = 0, heatmap_plays = 0;
  for (const auto& d : devices["devices"]) device_plays += d["plays"].get<long long>();
  for (const auto& cell : devices["heatmap"]) heatmap_plays += cell["plays"].get<long long>();
  EXPECT_EQ(device_plays, plays);
  EXPECT_EQ(heatmap_plays, plays);
  const std::string top_device = devices["devices"][0]["device"];
  EXPECT_EQ(devices["devices"][0]["listeners"].get<long long>(),
            SilverCount("SELECT count(DISTINCT user_id) FROM plays WHERE " + where +
                        " AND device = '" + top_device + "' AND platform IS NOT DISTINCT FROM '" +
                        devices["devices"][0]["platform"].get<std::string>() + "'"));

  const json listeners_page = Get("/api/listeners" + query);
  ASSERT_EQ(listeners_page["by_level"].size(), 1u);
  EXPECT_EQ(listeners_page["by_level"][0]["listeners"].get<long long>(), listeners);

  // The top track under the filters, and the whole-range top track without them.
  const json trending = Get("/api/trending" + query);
  ASSERT_FALSE(trending["top_tracks"].empty());
  EXPECT_EQ(trending["top_tracks"][0]["plays"].get<long long>(),
            SilverCount("SELECT max(n) FROM (SELECT count(*) AS n FROM plays WHERE " + where +
                        " GROUP BY track_id)"));
  EXPECT_EQ(Get("/api/trending")["top_tracks"][0]["plays"].get<long long>(),
            SilverCount("SELECT max(n) FROM (SELECT count(*) AS n FROM plays GROUP BY track_id)"));
  // Each day's number one, with and without the filters.
  for (const std::string& condition : {where, std::string("true")}) {
    const json day = Get("/api/trending" + (condition == where ? query : ""))["top_daily"][0];
    EXPECT_EQ(day["rank"], 1);
    EXPECT_EQ(day["plays"].get<long long>(),
              SilverCount("SELECT max(n) FROM (SELECT count(*) AS n FROM plays WHERE " + condition +
                          " AND event_date = DATE '" + day["date"].get<std::string>() +
                          "' GROUP BY track_id)"))
        << condition;
  }
}

TEST_F(GoldApiTest, EveryPageHasData) {
  EXPECT_FALSE(Get("/api/trending")["trending"].empty());
  EXPECT_FALSE(Get("/api/trending")["top_daily"].empty());
  const json artists = Get("/api/artists");
  EXPECT_EQ(artists["ranking"][0]["rank"], 1);
  EXPECT_FALSE(artists["audio_features"].empty());
  EXPECT_EQ(Get("/api/devices")["heatmap"].size() > 24, true);
  EXPECT_FALSE(Get("/api/listeners")["retention"].empty());
  const json pipeline = Get("/api/pipeline");
  ASSERT_FALSE(pipeline["runs"].empty());
  EXPECT_EQ(pipeline["runs"][0]["status"], "success");
  EXPECT_GT(pipeline["tests"].size(), 50u);
  for (const auto& test : pipeline["tests"]) EXPECT_EQ(test["status"], "pass") << test["name"];
  EXPECT_FALSE(pipeline["quarantine"].empty()) << "the demo feed carries malformed lines";
}

TEST_F(GoldApiTest, ListenerPageHoldsOneListenersPlays) {
  // The Listeners page's most active listener, and their own page under a filter.
  const json top = Get("/api/listeners")["top_listeners"];
  ASSERT_FALSE(top.empty());
  const std::string user = top[0]["user_id"];
  EXPECT_EQ(top[0]["plays"].get<long long>(),
            SilverCount("SELECT count(*) FROM plays WHERE user_id = '" + user + "'"));
  const json page = Get("/api/listener?user=" + user + "&from=2026-06-20");
  const long long plays = SilverCount("SELECT count(*) FROM plays WHERE user_id = '" + user +
                                      "' AND event_date >= DATE '2026-06-20'");
  EXPECT_EQ(page["summary"]["user_id"], user);
  EXPECT_EQ(page["summary"]["plays"].get<long long>(), plays);
  long long clock = 0, months = 0;
  for (const auto& hour : page["clock"]) clock += hour["plays"].get<long long>();
  for (const auto& month : page["months"]) months += month["plays"].get<long long>();
  EXPECT_EQ(clock, plays);
  EXPECT_EQ(months, plays);
  EXPECT_GE(page["summary"]["longest_streak_days"].get<long long>(), 1);
  EXPECT_TRUE(page["top_shows"].empty()) << "simulated listening has no podcasts";
}

TEST_F(GoldApiTest, ListenerPageTakesTheCountryFilter) {
  // The listener's plays are joined to artists, which have a country of their
  // own: the filter must read the play's country.
  const std::string user = Get("/api/listeners")["top_listeners"][0]["user_id"];
  const std::string country = Get("/api/filters")["countries"][0];
  const json page = Get("/api/listener?user=" + user + "&country=" + country);
  const long long plays = SilverCount("SELECT count(*) FROM plays WHERE user_id = '" + user +
                                      "' AND country = '" + country + "'");
  EXPECT_EQ(page["summary"]["plays"].get<long long>(), plays);
  long long clock = 0;
  for (const auto& hour : page["clock"]) clock += hour["plays"].get<long long>();
  EXPECT_EQ(clock, plays);
}

TEST_F(GoldApiTest, MetricsDescribeThePipeline) {
  httplib::Client client("127.0.0.1", port_);
  client.Get("/api/overview");
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  const std::string& text = res->body;
  EXPECT_NE(text.find("playlake_pipeline_runs_total{status=\"success\"} 1"), std::string::npos)
      << text;
  EXPECT_NE(text.find("playlake_http_requests_total{route=\"/api/overview\",status=\"200\"}"),
            std::string::npos);
  const std::string plays = "playlake_table_rows{layer=\"silver\",table=\"plays\"} " +
                            std::to_string(SilverCount("SELECT count(*) FROM plays"));
  EXPECT_NE(text.find(plays), std::string::npos) << text;
  EXPECT_NE(text.find("playlake_quarantine_records{reason="), std::string::npos);
  EXPECT_EQ(text.find("playlake_pipeline_last_success_timestamp_seconds 0\n"), std::string::npos);
}

TEST_F(GoldApiTest, BadParametersAre400) {
  EXPECT_NE(Get("/api/overview?country=Sweden", 400)["error"].get<std::string>().find("country"),
            std::string::npos);
  Get("/api/devices?level=platinum", 400);
  Get("/api/listeners?from=2026-07-01&to=2026-06-01", 400);
  Get("/api/trending?sort=plays", 400);
  Get("/api/listener?user=nobody-at-all", 400);
}

}  // namespace
}  // namespace playlake::serve
