// Publishing to a real clickhouse-server (Debian's 18.16) on 127.0.0.1.
#include "publish/clickhouse.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "cli/test_util.h"
#include "publish/test_clickhouse.h"
#include "testing/testing.h"

namespace playlake::publish {
namespace {

TEST(ClickHouseTypes, EveryDuckDbTypeHasAnExplicitMapping) {
  const std::pair<const char*, const char*> cases[] = {
      {"BIGINT", "Nullable(Int64)"},
      {"INTEGER", "Nullable(Int32)"},
      {"HUGEINT", "Nullable(Int64)"},
      {"UBIGINT", "Nullable(UInt64)"},
      {"DOUBLE", "Nullable(Float64)"},
      {"DECIMAL(18,3)", "Nullable(Float64)"},
      {"BOOLEAN", "Nullable(UInt8)"},
      {"VARCHAR", "Nullable(String)"},
      {"DATE", "Nullable(Date)"},
      {"TIMESTAMP", "Nullable(DateTime('UTC'))"},
      {"TIMESTAMP WITH TIME ZONE", "Nullable(DateTime('UTC'))"},
      {"VARCHAR[]", "Nullable(String)"},
      {"STRUCT(a INTEGER)", "Nullable(String)"},
      {"TIME", "Nullable(String)"}};
  for (const auto& [duck, clickhouse] : cases) {
    EXPECT_EQ(MappedType("c", duck).clickhouse_type, clickhouse) << duck;
  }
}

class PublishTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = warehouse::Database::Open(":memory:");
    ASSERT_TRUE(db) << db.error().message;
    db_ = std::move(*db);
    auto conn = db_->Connect();
    ASSERT_TRUE(conn) << conn.error().message;
    conn_ = std::move(*conn);
  }

  // Build `build` of two tables: `a` with 100 + build rows, `b` with 50 +
  // build, every row carrying its build.
  void MakeBuild(int build) {
    ASSERT_TRUE(conn_->Execute(fmt::format(
        "CREATE OR REPLACE TABLE a AS SELECT {0} AS build, i FROM range(100 + {0}) t(i); "
        "CREATE OR REPLACE TABLE b AS SELECT {0} AS build, i FROM range(50 + {0}) t(i);",
        build)));
  }

  Result<PublishReport> Publish(const std::vector<std::string>& tables) {
    return PublishTables(*conn_, tables, server_.Target("radio"), dir_ / "scratch");
  }

  playlake::testing::TempDir dir_;
  TestClickHouse server_;
  std::unique_ptr<warehouse::Database> db_;
  std::unique_ptr<warehouse::Connection> conn_;
};

TEST_F(PublishTest, ValuesOfEveryTypeArriveAsTheyWere) {
  const auto made = conn_->Execute(R"(
    CREATE TABLE kinds (id BIGINT, big HUGEINT, price DECIMAL(18,3), liked BOOLEAN, day DATE,
                        played_at TIMESTAMP, name VARCHAR, tags VARCHAR[], info STRUCT(n INTEGER),
                        released DATE);
    INSERT INTO kinds VALUES
      (1, 12345678901234, 12.345, true, DATE '2026-01-05', TIMESTAMP '2026-01-05 10:11:12.345',
       'naïve "quoted" \ text', ['x', 'y'], {'n': 1}, DATE '1965-03-01'),
      (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);)");
  ASSERT_TRUE(made) << made.error().message;
  auto published = Publish({"kinds"});
  ASSERT_TRUE(published) << published.error().message;
  EXPECT_EQ(published->tables, 1);
  EXPECT_EQ(published->rows, 2);
  EXPECT_EQ(server_.Query("SELECT * FROM radio.kinds ORDER BY id NULLS LAST"),
            "1\t12345678901234\t12.345\t1\t2026-01-05\t2026-01-05 10:11:12\t"
            "naïve \"quoted\" \\\\ text\t[\"x\",\"y\"]\t{\"n\":1}\t\\N\n"
            "\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\n");
  // Dates before 1970 do not fit ClickHouse's Date: NULL, as the docs say.
}

TEST_F(PublishTest, ReadersSeeWholeBuildsWhileTheyAreSwappedIn) {
  MakeBuild(1);
  ASSERT_TRUE(Publish({"a", "b"}));
  std::atomic<bool> done = false;
  std::atomic<int> reads = 0, errors = 0, torn = 0;
  std::vector<std::thread> readers;
  for (int r = 0; r < 4; ++r) {
    readers.emplace_back([&] {
      ClickHouseTarget target = server_.Target("radio");
      while (!done) {
        auto answer = ClickHouseRequest(
            target, "SELECT count(), min(build), max(build) FROM radio.a FORMAT TSV");
        if (!answer) {
          ++errors;
          ADD_FAILURE() << answer.error().message;
          continue;
        }
        int rows = 0, low = 0, high = 0;
        if (std::sscanf(answer->c_str(), "%d\t%d\t%d", &rows, &low, &high) != 3 || low != high ||
            rows != 100 + low) {
          ++torn;
          ADD_FAILURE() << *answer;
        }
        ++reads;
      }
    });
  }
  constexpr int kSwaps = 40;
  for (int build = 2; build <= kSwaps + 1; ++build) {
    MakeBuild(build);
    auto published = Publish({"a", "b"});
    ASSERT_TRUE(published) << published.error().message;
  }
  done = true;
  for (auto& reader : readers) reader.join();
  EXPECT_GT(reads, kSwaps);
  EXPECT_EQ(errors, 0);
  EXPECT_EQ(torn, 0);
  EXPECT_EQ(server_.Query("SELECT count(), max(build) FROM radio.b"),
            fmt::format("{}\t{}\n", 50 + kSwaps + 1, kSwaps + 1));
  // Publishing the same build again changes nothing; no helper table is left.
  ASSERT_TRUE(Publish({"a", "b"}));
  EXPECT_EQ(server_.Query("SELECT count(), max(build) FROM radio.b"),
            fmt::format("{}\t{}\n", 50 + kSwaps + 1, kSwaps + 1));
  EXPECT_EQ(server_.Query("SELECT name FROM system.tables WHERE database = 'radio' ORDER BY name"),
            "a\nb\n");
}

TEST_F(PublishTest, AServerDownDuringPublishKeepsThePreviousTables) {
  MakeBuild(1);
  ASSERT_TRUE(Publish({"a", "b"}));
  MakeBuild(2);
  server_.Stop();
  auto failed = Publish({"a", "b"});
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("ClickHouse at http://127.0.0.1:"), std::string::npos)
      << failed.error().message;
  server_.Start();
  EXPECT_EQ(server_.Query("SELECT count(), max(build) FROM radio.a"), "101\t1\n");
  ASSERT_TRUE(Publish({"a", "b"}));
  EXPECT_EQ(server_.Query("SELECT count(), max(build) FROM radio.a"), "102\t2\n");
  auto missing = Publish({"no_such_table"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

// `playlake run` with publish.clickhouse: ClickHouse down fails the run's
// publish step but keeps the gold it built; the next run publishes it.
TEST(PublishRun, ARunPublishesItsGoldAgainAfterClickHouseWasDown) {
  TestClickHouse server;
  playlake::testing::TempDir dir;
  cli_test::WriteModelProject(dir.path(), "listeners",
                              "{{ config(materialized='table') }}\n"
                              "select user_id, count(*) as plays from silver.plays group by 1",
                              "models:\n  - name: listeners\n");
  const std::string yml = playlake::testing::ReadFile(dir / "playlake.yml");
  cli_test::WriteText(dir / "playlake.yml",
                      yml + "publish:\n  clickhouse: {url: \"" + server.Target("").url + "\"}\n");
  const std::string project = " --project " + dir.path().string();
  server.Stop();
  const auto down = playlake::testing::RunPlaylake("run" + project);
  EXPECT_NE(down.exit_code, 0);
  EXPECT_NE(down.stderr_text.find("publish"), std::string::npos) << down.stderr_text;
  const auto gold = playlake::testing::RunPlaylake(
      "sql --gold --format csv 'SELECT count(*), sum(plays) FROM listeners'" + project);
  ASSERT_EQ(gold.exit_code, 0) << gold.stderr_text;

  server.Start();
  const auto up = playlake::testing::RunPlaylake("run" + project);
  ASSERT_EQ(up.exit_code, 0) << up.stderr_text;
  const std::string counts = gold.stdout_text.substr(gold.stdout_text.find('\n') + 1);
  EXPECT_EQ(server.Query("SELECT count(), sum(plays) FROM t.listeners"),
            counts.substr(0, counts.find(',')) + "\t" + counts.substr(counts.find(',') + 1));
  const auto again = playlake::testing::RunPlaylake("run" + project);
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_NE(again.stderr_text.find("already serves"), std::string::npos) << again.stderr_text;
}

}  // namespace
}  // namespace playlake::publish
