// Gold from what the stream landed, with real processes: incremental runs
// between rounds of streaming equal a full refresh of the same lake; a
// schedule keeps gold following the stream; `playlake serve` shows the
// stream's figures in /metrics and /api/stream.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "pipeline/pipeline_test_util.h"
#include "stream/mock_broker.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

namespace fs = std::filesystem;
using pipeline::testutil::ExpectSameRows;
using pipeline::testutil::WarehouseReader;
using playlake::testing::Background;
using playlake::testing::RunPlaylake;
using playlake::testing::TempDir;
using namespace playlake::stream_test;

// Produces `events` plays with `playlake generate --kafka`; returns the
// brokers' end offsets after them.
std::map<int, std::int64_t> Produce(const std::string& bootstrap, int seed, int events) {
  const auto out = RunPlaylake(
      fmt::format("generate --seed {} --users 60 --events {} --late-rate 0.05 --quiet --kafka {} "
                  "--topic plays",
                  seed, events, bootstrap));
  EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
  return EndOffsets(bootstrap, "plays");
}

// Plays in gold, read as a user would while the pipeline may be writing.
std::string GoldPlays(const fs::path& project) {
  const auto out = RunPlaylake("sql --gold --format csv --project " + project.string() +
                               " \"select count(*) from fct_plays\"");
  const auto rows = Lines(out.stdout_text);
  return out.exit_code == 0 && rows.size() == 2 ? rows[1] : "";
}

TEST(StreamGold, IncrementalRunsBetweenStreamRoundsEqualAFullRefresh) {
  auto broker = MockBroker::Start({{"plays", 3}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  const fs::path a = dir / "a";
  WriteKafkaProject(a, bootstrap, "plays", "g");
  Background stream({"stream", "--project", a.string()}, dir / "stream.log");
  for (int round = 1; round <= 3; ++round) {
    const auto ends = Produce(bootstrap, round, 400);
    ASSERT_TRUE(WaitForOffsets(a / "lake", ends, 60)) << stream.log();
    const auto run = RunPlaylake("run --project " + a.string());
    ASSERT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
    EXPECT_EQ(GoldPlays(a), std::to_string(400 * round)) << "round " << round;
  }
  ASSERT_EQ(stream.Stop(), 0) << stream.log();

  const fs::path b = dir / "b";
  fs::copy(a, b, fs::copy_options::recursive);
  const auto full = RunPlaylake("run --full-refresh --project " + b.string());
  ASSERT_EQ(full.exit_code, 0) << full.stdout_text << full.stderr_text;
  WarehouseReader db(a / "warehouse.duckdb");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db.Execute("ATTACH '" + (b / "warehouse.duckdb").string() + "' AS b (READ_ONLY)"));
  // Every table of gold, as the full refresh built it.
  const auto tables = db.Query(
      "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'b' AND "
      "table_schema = 'main' ORDER BY 1");
  EXPECT_GT(tables.size(), 20u);
  for (const auto& row : tables) ExpectSameRows(db, row[0]);
  EXPECT_EQ(db.Int("SELECT count(*) FROM fct_plays"), 1200);
  EXPECT_EQ(db.Int("SELECT count(DISTINCT loaded_at) FROM fct_plays"), 3);  // three increments
}

TEST(StreamGold, AScheduleKeepsGoldFollowingTheStream) {
  auto broker = MockBroker::Start({{"plays", 2}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  WriteKafkaProject(dir.path(), bootstrap, "plays", "g");
  Background stream({"stream", "--project", dir.path().string()}, dir / "stream.log");
  Background schedule({"schedule", "--cron", "*/2 * * * * *", "--project", dir.path().string()},
                      dir / "schedule.log");
  int expected = 0;
  for (int round = 1; round <= 2; ++round) {
    Produce(bootstrap, 20 + round, 250);
    expected += 250;
    std::string plays;
    for (int i = 0; i < 240 && (plays = GoldPlays(dir.path())) != std::to_string(expected); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    EXPECT_EQ(plays, std::to_string(expected)) << "round " << round << "\n" << schedule.log();
  }
  EXPECT_EQ(schedule.Stop(), 0) << schedule.log();
  EXPECT_EQ(stream.Stop(), 0) << stream.log();
  // Gold holds exactly the plays silver holds.
  WarehouseReader db(dir / "warehouse.duckdb");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db.Int("SELECT count(*) FROM fct_plays f FULL JOIN silver.plays p USING (play_id) "
                   "WHERE f.play_id IS NULL OR p.play_id IS NULL"),
            0);
  // How far gold trails: every batch the stream committed is in gold when the
  // first scheduled run that started after the commit ends (a run that started
  // just before it may take it sooner). So gold is at most one interval of the
  // schedule plus one run behind the stream: with a schedule of every minute
  // and runs of at most 30 s, a minute and a half.
  const std::string lags = fmt::format(
      "WITH batches AS ("
      "  SELECT json_extract_string(json, '$.batch_id') AS batch_id,"
      "    CAST(json_extract(json, '$.committed_at_us') AS BIGINT) AS committed_us"
      "  FROM read_json_objects('{}/_manifests/silver/*.json')),"
      // runs.jsonl has whole seconds, cut down: a run's start is never put
      // after the commit it followed, and its end is at most a second later.
      " runs AS ("
      "  SELECT epoch_us(CAST(started_at AS TIMESTAMPTZ)) AS started_us,"
      "    epoch_us(CAST(finished_at AS TIMESTAMPTZ)) + 1000000 AS finished_us"
      "  FROM read_json('{}/target/runs.jsonl', format = 'newline_delimited')"
      "  WHERE status = 'success'),"
      " gold AS (SELECT batch_id, epoch_us(min(loaded_at)) AS loaded_us FROM fct_plays"
      "  GROUP BY batch_id)"
      " SELECT g.batch_id, g.loaded_us - b.committed_us AS lag_us,"
      "   (SELECT min(finished_us) FROM runs WHERE started_us >= b.committed_us) AS due_us,"
      "   g.loaded_us"
      " FROM gold AS g JOIN batches AS b USING (batch_id)",
      (dir / "lake").string(), dir.path().string());
  const auto batches = db.Query(lags);
  int checked = 0;
  double max_lag_s = 0;
  for (const auto& row : batches) {
    max_lag_s = std::max(max_lag_s, std::stoll(row[1]) / 1e6);
    if (row[2] == "NULL") continue;  // taken by a run that started just before its commit
    ++checked;
    EXPECT_LE(std::stoll(row[3]), std::stoll(row[2]))
        << "batch " << row[0] << " reached gold after the run that should have taken it\n"
        << schedule.log();
  }
  EXPECT_GT(checked, 0) << "no run started after a commit: the check above checked nothing";
  std::cout << batches.size() << " stream batches; the longest from commit to gold: " << max_lag_s
            << " s (schedule every 2 s)\n";
}

nlohmann::json GetJson(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get(path);
  if (!res || res->status != 200) {
    ADD_FAILURE() << path << ": " << (res ? res->body : "no answer");
    return nullptr;
  }
  return nlohmann::json::parse(res->body, nullptr, false);
}

std::string GetText(int port, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get(path);
  return res && res->status == 200 ? res->body : "";
}

TEST(StreamGold, ServeShowsTheStreamInMetricsAndToThePipelinePage) {
  auto broker = MockBroker::Start({{"plays", 2}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  WriteKafkaProject(dir.path(), bootstrap, "plays", "g");
  const auto landed = Produce(bootstrap, 31, 300);
  {
    Background stream({"stream", "--project", dir.path().string()}, dir / "stream.log");
    ASSERT_TRUE(WaitForOffsets(dir / "lake", landed, 60)) << stream.log();
    ASSERT_EQ(stream.Stop(), 0) << stream.log();
  }
  const auto run = RunPlaylake("run --project " + dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto ends = Produce(bootstrap, 32, 40);  // not streamed: the lag
  testing::Dashboard serve(dir.path(), dir / "serve.log");
  ASSERT_NE(serve.port(), 0) << serve.log();

  const auto status = GetJson(serve.port(), "/api/stream");
  ASSERT_TRUE(status.is_object()) << status;
  EXPECT_EQ(status["available"], true);
  EXPECT_EQ(status["brokers"]["answered"], true) << status;
  EXPECT_EQ(status["lag"], 40);
  ASSERT_EQ(status["partitions"].size(), 2u);
  for (const auto& p : status["partitions"]) {
    const int partition = p["partition"];
    EXPECT_EQ(p["committed_offset"], landed.at(partition));
    EXPECT_EQ(p["end_offset"], ends.at(partition));
    EXPECT_EQ(p["lag"], ends.at(partition) - landed.at(partition));
  }
  const std::string metrics = GetText(serve.port(), "/metrics");
  for (const auto& [partition, end] : ends) {
    EXPECT_NE(metrics.find(fmt::format(
                  "playlake_stream_partition_lag_messages{{topic=\"plays\",partition=\"{}\"}} {}\n",
                  partition, end - landed.at(partition))),
              std::string::npos)
        << metrics;
  }
  EXPECT_NE(metrics.find("playlake_stream_lag_messages 40\n"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("playlake_stream_brokers_up 1\n"), std::string::npos) << metrics;

  // Brokers down: /metrics still answers, says so and leaves the lag out.
  ASSERT_TRUE((*broker)->Command("down all"));
  const std::string down = GetText(serve.port(), "/metrics");
  EXPECT_NE(down.find("playlake_stream_brokers_up 0\n"), std::string::npos) << down;
  EXPECT_EQ(down.find("playlake_stream_lag_messages "), std::string::npos) << down;
  EXPECT_NE(down.find("playlake_pipeline_runs_total{status=\"success\"} 1\n"), std::string::npos)
      << down;
  ASSERT_TRUE((*broker)->Command("up all"));
}

// A project without a Kafka source has no Stream panel and no stream series.
TEST(StreamGold, ServeWithoutAKafkaSourceHasNoStreamFigures) {
  TempDir dir;
  ASSERT_EQ(RunPlaylake("init " + dir.path().string()).exit_code, 0);
  const auto run = RunPlaylake("run --project " + dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  testing::Dashboard serve(dir.path(), dir / "serve.log");
  ASSERT_NE(serve.port(), 0) << serve.log();
  EXPECT_EQ(GetJson(serve.port(), "/api/stream"), (nlohmann::json{{"available", false}}));
  const std::string metrics = GetText(serve.port(), "/metrics");
  EXPECT_NE(metrics.find("playlake_pipeline_runs_total"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("playlake_stream_partition"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace playlake::stream
