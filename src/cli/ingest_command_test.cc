// `playlake ingest`, `playlake sql` and `playlake run` as a user runs them.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/test_util.h"
#include "common/file_lock.h"
#include "lake/storage.h"
#include "testing/testing.h"

namespace playlake {
namespace {

using cli_test::AddSparkifyDay;
using cli_test::OverviewPlays;
using cli_test::SilverPlays;
using cli_test::SparkifyDay;
using testing::ReadFile;
using testing::RealData;
using testing::RunPlaylake;
using testing::RunShell;
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
  const std::string input = SparkifyDay("2018-11-01").string();
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
    const auto file = SparkifyDay(day);
    ASSERT_EQ(RunPlaylake("ingest " + file.string() + " --project " + project).exit_code, 0);
    const auto build = RunPlaylake("build --select +stg_plays --project " + project);
    ASSERT_EQ(build.exit_code, 0) << build.stderr_text;
    const std::string silver = count("plays", "");
    EXPECT_EQ(count("stg_plays", "--gold"), silver) << day;
    EXPECT_NE(silver, previous) << day;
    previous = silver;
  }
}

// Runs two commands at once in `dir`, their stderr in a.err and b.err.
testing::CommandOutput RunTwo(const std::filesystem::path& dir, const std::string& a,
                              const std::string& b) {
  return RunShell("cd " + dir.string() + " && (" + a + " 2> a.err & " + b + " 2> b.err & wait)");
}

// True once both logs say they wait for a lock's holder (false after 30 s).
bool BothWait(const std::filesystem::path& a, const std::filesystem::path& b) {
  auto waiting = [](const std::filesystem::path& log) {
    return ReadFile(log).find("waiting for it to finish") != std::string::npos;
  };
  for (int i = 0; i < 600; ++i) {
    if (waiting(a) && waiting(b)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << ReadFile(a) << ReadFile(b);
  return false;
}

// Two ingests at once of the same plays under two file names: each would
// deduplicate against the lake as it was when it started and keep every play.
TEST(IngestCommand, ConcurrentIngestsTakeTurnsAndKeepEachPlayOnce) {
  TempDir dir;
  const auto day = SparkifyDay("2018-11-01");
  std::filesystem::create_directories(dir / "a");
  std::filesystem::create_directories(dir / "b");
  std::filesystem::copy_file(day, dir / "a" / "first.json");
  std::filesystem::copy_file(day, dir / "b" / "second.json");
  const std::string lake = (dir / "lake").string();
  // The test holds the writer lock first, so both ingests are waiting when it lets go.
  lake::LocalStorage storage(lake);
  auto held = storage.LockWriters([](const std::string&) {});
  ASSERT_TRUE(held);
  auto both = std::async(std::launch::async, [&] {
    const std::string ingest = testing::PlaylakeBinary() + " ingest --lake " + lake + " ";
    return RunTwo(dir.path(), ingest + "a", ingest + "b");
  });
  EXPECT_TRUE(BothWait(dir / "a.err", dir / "b.err"));
  EXPECT_FALSE(std::filesystem::exists(dir / "lake" / "_manifests" / "bronze"));
  held->reset();
  const auto run = both.get();
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("duplicates already in lake: page_views=4 plays=11"),
            std::string::npos)
      << run.stdout_text;
  const auto count = RunPlaylake(
      "sql \"SELECT count(*), count(DISTINCT play_id) FROM plays\" --format csv --lake " + lake);
  EXPECT_EQ(count.stdout_text, "count_star(),count(DISTINCT play_id)\n11,11\n");
}

// A run started while another is going waits for it, then runs on what is new.
TEST(RunCommand, RunsOfAProjectTakeTurns) {
  TempDir dir;
  const std::string project = (dir / "radio").string();
  ASSERT_EQ(RunPlaylake("init " + project).exit_code, 0);
  AddSparkifyDay(dir / "radio", "2018-11-01");
  std::filesystem::create_directories(dir / "radio" / "target");
  auto held = FileLock::Acquire(dir / "radio" / "target" / ".run.lock", [](const std::string&) {});
  ASSERT_TRUE(held);
  auto both = std::async(std::launch::async, [&] {
    const std::string run = testing::PlaylakeBinary() + " run --project " + project;
    return RunTwo(dir.path(), run, run);
  });
  EXPECT_TRUE(BothWait(dir / "a.err", dir / "b.err"));
  EXPECT_FALSE(std::filesystem::exists(dir / "radio" / "target" / "runs.jsonl"));
  held->reset();
  const auto runs = both.get();
  ASSERT_EQ(runs.exit_code, 0) << ReadFile(dir / "a.err") << ReadFile(dir / "b.err");
  std::ifstream history(dir / "radio" / "target" / "runs.jsonl");
  int succeeded = 0;
  for (std::string line; std::getline(history, line);) {
    succeeded += nlohmann::json::parse(line)["status"] == "success";
  }
  EXPECT_EQ(succeeded, 2);
  const auto plays = RunPlaylake(
      "sql \"SELECT count(*) FROM fct_plays\" --gold --format csv --project " + project);
  EXPECT_EQ(plays.stdout_text, "count_star()\n11\n");
}

// A scheduled run with nothing new leaves gold as it is; a new input, a changed
// project file or --full-refresh builds again.
TEST(RunCommand, ARunWithNothingNewLeavesGoldAsItIs) {
  TempDir dir;
  const std::string project = (dir / "radio").string();
  ASSERT_EQ(RunPlaylake("init " + project).exit_code, 0);
  AddSparkifyDay(dir / "radio", "2018-11-01");
  ASSERT_EQ(RunPlaylake("run --project " + project).exit_code, 0);
  const auto warehouse = dir / "radio" / "warehouse.duckdb";
  const auto built = std::filesystem::last_write_time(warehouse);
  const std::string up_to_date = "gold is up to date";

  const auto again = RunPlaylake("run --project " + project);
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_NE(again.stderr_text.find(up_to_date), std::string::npos) << again.stderr_text;
  EXPECT_EQ(std::filesystem::last_write_time(warehouse), built);

  std::ofstream(dir / "radio" / "playlake.yml", std::ios::app) << "# a change\n";
  const auto changed = RunPlaylake("run --project " + project);
  ASSERT_EQ(changed.exit_code, 0) << changed.stderr_text;
  EXPECT_EQ(changed.stderr_text.find(up_to_date), std::string::npos) << changed.stderr_text;

  const auto refresh = RunPlaylake("run --full-refresh --project " + project);
  ASSERT_EQ(refresh.exit_code, 0) << refresh.stderr_text;
  EXPECT_EQ(refresh.stderr_text.find(up_to_date), std::string::npos) << refresh.stderr_text;

  AddSparkifyDay(dir / "radio", "2018-11-02");
  const auto more = RunPlaylake("run --project " + project);
  ASSERT_EQ(more.exit_code, 0) << more.stderr_text;
  EXPECT_EQ(more.stderr_text.find(up_to_date), std::string::npos) << more.stderr_text;
  const auto plays = RunPlaylake(
      "sql \"SELECT (SELECT count(*) FROM fct_plays) = (SELECT count(*) FROM plays)\" --gold "
      "--format csv --project " +
      project);
  EXPECT_NE(plays.stdout_text.find("true"), std::string::npos)
      << plays.stdout_text << plays.stderr_text;
}

// Plays in the dashboard's overview (-1 when it does not answer).
// DuckDB allows no writer beside a reader, so a run while the dashboard reads
// the warehouse builds a copy and renames it over the file; the dashboard
// answers from the build it has until it notices the new one.
TEST(RunCommand, RunsWhileTheDashboardServesAndTheDashboardShowsWhatTheyAdd) {
  TempDir dir;
  const std::string project = (dir / "radio").string();
  ASSERT_EQ(RunPlaylake("init " + project).exit_code, 0);
  AddSparkifyDay(dir / "radio", "2018-11-01");
  ASSERT_EQ(RunPlaylake("run --project " + project).exit_code, 0);
  testing::Dashboard dashboard(project, dir / "serve.out");
  ASSERT_NE(dashboard.port(), 0) << dashboard.log();
  EXPECT_EQ(OverviewPlays(dashboard.port()), 11);

  AddSparkifyDay(dir / "radio", "2018-11-02");
  const auto run = RunPlaylake("run --project " + project);
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("building a copy"), std::string::npos) << run.stderr_text;
  EXPECT_FALSE(std::filesystem::exists(dir / "radio" / ".warehouse.duckdb.building"));
  const long long plays = SilverPlays(project);
  ASSERT_GT(plays, 11);
  long long shown = 0;
  for (int i = 0; i < 100 && shown != plays; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    shown = OverviewPlays(dashboard.port());
  }
  EXPECT_EQ(shown, plays) << dashboard.log();
}

TEST(IngestCommand, SpotifyExportWithoutUserExitsWithUsageError) {
  TempDir dir;
  const auto run = RunPlaylake("ingest " + (RealData() / "spotify_history" / "StreamingHistory3.json").string() +
                               " --lake " + (dir / "lake").string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("--user"), std::string::npos) << run.stderr_text;
}

TEST(IngestCommand, AFileQuarantinedWholeIsAnErrorUnlessAllowed) {
  TempDir dir;
  const std::string lake = (dir / "lake").string();
  std::ofstream(dir / "notes.jsonl") << "{\"note\":\"not a play\"}\n{\"note\":\"nor this\"}\n";
  const auto run = RunPlaylake("ingest " + (dir / "notes.jsonl").string() + " --lake " + lake);
  EXPECT_EQ(run.exit_code, 5) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("1 file(s) quarantined whole"), std::string::npos)
      << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("--format"), std::string::npos) << run.stderr_text;
  EXPECT_NE(run.stdout_text.find("QUARANTINED WHOLE " + (dir / "notes.jsonl").string() +
                                 ": unknown_format"),
            std::string::npos)
      << run.stdout_text;
  EXPECT_NE(run.stdout_text.find("quarantined_whole=1"), std::string::npos) << run.stdout_text;

  std::ofstream(dir / "header.csv") << "Listener,When,Song\nann,2026-07-06T08:01:02Z,Teardrop\n";
  const auto allowed = RunPlaylake("ingest " + (dir / "header.csv").string() + " --lake " + lake +
                                   " --json --allow-quarantined-files");
  EXPECT_EQ(allowed.exit_code, 0) << allowed.stderr_text;
  const auto summary = nlohmann::json::parse(allowed.stdout_text);
  EXPECT_EQ(summary["outcomes"]["quarantined_whole"], 1);
  EXPECT_EQ(summary["details"][0]["outcome"], "quarantined_whole");
  EXPECT_NE(summary["details"][0]["error"].get<std::string>().find("invalid_csv_header"),
            std::string::npos);

  // Told how to read it, the file lands.
  const auto mapped = RunPlaylake("ingest " + (dir / "header.csv").string() + " --lake " + lake +
                                  " --csv-map user_id=Listener --csv-map ts=When "
                                  "--csv-map track_name=Song");
  EXPECT_EQ(mapped.exit_code, 0) << mapped.stderr_text;
  const auto sql =
      RunPlaylake("sql \"SELECT user_id, track_name FROM plays\" --format csv --lake " + lake);
  EXPECT_EQ(sql.stdout_text, "user_id,track_name\nann,Teardrop\n");
}

TEST(IngestCommand, LastfmScrobblesTakeTheUserFromTheFlag) {
  TempDir dir;
  const std::string lake = (dir / "lake").string();
  const std::string file = (dir / "scrobbles.csv").string();
  std::ofstream(file)
      << "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid\n"
         "1609875420,\"05 Jan 2021, 19:37\",Radiohead,a74b1b7f-71a5-4011-9441-d0b5e4122711,"
         "OK Computer,b1392450-e666-3926-a536-22c65f834433,Karma Police,"
         "8dc9ba8e-3fe6-4d47-b2b9-a0cdd2b9c0c8\n"
         "1609875180,\"05 Jan 2021, 19:33\",Sigur Rós,f6f2326f-6b25-4170-b89d-e235b25508e8,"
         "Ágætis byrjun,,Svefn-g-englar,\n";
  const auto nobody = RunPlaylake("ingest " + file + " --lake " + lake);
  EXPECT_EQ(nobody.exit_code, 2);
  EXPECT_NE(nobody.stderr_text.find("--user NAME"), std::string::npos) << nobody.stderr_text;
  const auto run = RunPlaylake("ingest " + file + " --lake " + lake + " --user ann");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto sql = RunPlaylake(
      "sql \"SELECT user_id, track_name, event_ts::VARCHAR AS ts FROM plays ORDER BY event_ts\" "
      "--format csv --lake " +
      lake);
  EXPECT_EQ(sql.stdout_text,
            "user_id,track_name,ts\nann,Svefn-g-englar,2021-01-05 19:33:00+00\n"
            "ann,Karma Police,2021-01-05 19:37:00+00\n");
}

TEST(IngestCommand, BadCsvMappingsNameTheFlagOrTheKey) {
  TempDir dir;
  const std::string lake = (dir / "lake").string();
  std::ofstream(dir / "a.csv") << "When,Song\n";
  const std::pair<std::string, std::string> cases[] = {
      {"--csv-map listener=When", "--csv-map: columns.listener: not a play-event field"},
      {"--csv-map ts", "--csv-map 'ts': expected FIELD=COLUMN"},
      {"--csv-map ts=When --ts-format unix", "--ts-format: unknown format 'unix'"},
  };
  for (const auto& [flags, message] : cases) {
    const auto run =
        RunPlaylake("ingest " + (dir / "a.csv").string() + " --lake " + lake + " " + flags);
    EXPECT_EQ(run.exit_code, 2) << flags;
    EXPECT_NE(run.stderr_text.find(message), std::string::npos) << run.stderr_text;
  }
  const std::string project = (dir / "p").string();
  ASSERT_EQ(RunPlaylake("init " + project).exit_code, 0);
  std::ofstream(dir / "p" / "playlake.yml")
      << "sources:\n  - name: radio\n    path: " << (dir / "a.csv").string()
      << "\n    csv:\n      columns:\n        when: When\n";
  const auto config = RunPlaylake("ingest --project " + project);
  EXPECT_EQ(config.exit_code, 3);
  EXPECT_NE(config.stderr_text.find("sources[radio].csv.columns.when: not a play-event field"),
            std::string::npos)
      << config.stderr_text;
}

}  // namespace
}  // namespace playlake
