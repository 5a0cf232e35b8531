// `playlake ingest` and `playlake sql` as a user runs them.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace playlake {
namespace {

using testing::RealData;
using testing::RunPlaylake;
using testing::TempDir;

TEST(IngestCommand, WithoutAProjectSaysToRunInit) {
  TempDir dir;
  const auto run = RunPlaylake("ingest --project " + dir.path().string());
  EXPECT_EQ(run.exit_code, 3);
  EXPECT_NE(run.stderr_text.find("playlake init"), std::string::npos) << run.stderr_text;
}

TEST(IngestCommand, JsonSummaryThenSqlInEveryFormat) {
  TempDir dir;
  const std::string lake = (dir / "lake").string();
  const std::string input =
      (RealData() / "sparkify" / "log_data" / "2018" / "11" / "2018-11-01-events.json").string();
  const auto run = RunPlaylake("ingest " + input + " --lake " + lake + " --json");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto summary = nlohmann::json::parse(run.stdout_text);
  EXPECT_EQ(summary["files"], 1);
  EXPECT_EQ(summary["outcomes"]["committed"], 1);
  EXPECT_EQ(summary["formats"]["eventsim"]["files"], 1);
  EXPECT_EQ(summary["rows_written"]["plays"], 11);
  EXPECT_EQ(summary["rows_written"]["page_views"], 4);

  const auto again = RunPlaylake("ingest " + input + " --lake " + lake);
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.stdout_text.find("already_ingested=1"), std::string::npos) << again.stdout_text;

  const std::string query = "\"SELECT count(*) AS n, min(event_date) AS d FROM plays\"";
  const auto csv = RunPlaylake("sql " + query + " --lake " + lake + " --format csv");
  EXPECT_EQ(csv.stdout_text, "n,d\n11,2018-11-01\n");
  const auto json = RunPlaylake("sql " + query + " --lake " + lake + " --format json");
  EXPECT_EQ(nlohmann::json::parse(json.stdout_text)[0]["n"], 11);
  const auto table = RunPlaylake("sql " + query + " --lake " + lake);
  EXPECT_NE(table.stdout_text.find("(1 row)"), std::string::npos) << table.stdout_text;
}

TEST(IngestCommand, BadSqlAndMissingLakeAreClearErrors) {
  TempDir dir;
  const auto missing = RunPlaylake("sql \"SELECT 1\" --lake " + (dir / "nolake").string());
  EXPECT_EQ(missing.exit_code, 4);  // not found
  EXPECT_NE(missing.stderr_text.find("playlake ingest"), std::string::npos) << missing.stderr_text;
  ASSERT_EQ(RunPlaylake("ingest " + (RealData() / "sparkify" / "song_data" / "A" / "A" / "A").string() +
                        " --lake " + (dir / "lake").string())
                .exit_code,
            0);
  const auto bad = RunPlaylake("sql \"SELECT nope FROM tracks\" --lake " + (dir / "lake").string());
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_NE(bad.stderr_text.find("nope"), std::string::npos);
}

TEST(IngestCommand, BuildAfterIngestSeesEveryCommittedBatch) {
  // ingest, build, ingest, build, as a dbt user works, without `playlake run`.
  TempDir dir;
  const std::string project = (dir / "radio").string();
  ASSERT_EQ(RunPlaylake("init " + project).exit_code, 0);
  const auto count = [&](const std::string& relation, const std::string& flags) {
    const auto run = RunPlaylake("sql \"SELECT count(*) AS n FROM " + relation +
                                 "\" --format csv " + flags + " --project " + project);
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
    return run.stdout_text;
  };
  std::string previous;
  for (const char* day : {"2018-11-01", "2018-11-02"}) {
    const auto file =
        RealData() / "sparkify" / "log_data" / "2018" / "11" / (std::string(day) + "-events.json");
    ASSERT_EQ(RunPlaylake("ingest " + file.string() + " --project " + project).exit_code, 0);
    const auto build = RunPlaylake("build --select stg_plays --project " + project);
    ASSERT_EQ(build.exit_code, 0) << build.stderr_text;
    const std::string silver = count("plays", "");
    EXPECT_EQ(count("stg_plays", "--gold"), silver) << day;
    EXPECT_NE(silver, previous) << day;
    previous = silver;
  }
}

TEST(IngestCommand, SpotifyExportWithoutUserExitsWithUsageError) {
  TempDir dir;
  const auto run = RunPlaylake("ingest " + (RealData() / "spotify_history" / "StreamingHistory3.json").string() +
                               " --lake " + (dir / "lake").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("--user"), std::string::npos) << run.stderr_text;
}

}  // namespace
}  // namespace playlake
