// `playlake build` checks the dashboard's queries (the model project's
// exposures) against the warehouse it built: a mart column the dashboard
// reads, renamed in a copy of the shipped models, fails the build naming
// the page; a mart renamed along with its refs builds and serves; a build
// that changed no column the queries read does not bind them again; builds
// let DuckDB vacuum the warehouse at most once an hour; a build after a few
// new rows gives each statement one DuckDB thread; the pipeline page's row
// counts and newest events match silver.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/test_util.h"
#include "testing/testing.h"

namespace playlake {
namespace {

namespace fs = std::filesystem;
using testing::RunPlaylake;

std::string ReadText(const fs::path& file) {
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Replaces every `from` by `to` in every file under `dir`.
void ReplaceEverywhere(const fs::path& dir, const std::string& from, const std::string& to) {
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string text = ReadText(entry.path());
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), to);
      at += to.size();
    }
    cli_test::WriteText(entry.path(), text);
  }
}

class BuildCommandTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const auto demo = RunPlaylake("demo --no-serve --dir " + dir_->path().string() +
                                  " --users 60 --days 4 --seed 5 --end 2026-06-30");
    ASSERT_EQ(demo.exit_code, 0) << demo.stderr_text;
    demo_stdout_ = new std::string(demo.stdout_text);
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete demo_stdout_;
  }

  // A fresh copy of the shipped model project in the demo's folder.
  static fs::path CopyModels(const std::string& name) {
    const fs::path copy = dir_->path() / name;
    fs::copy(PLAYLAKE_MODELS_DIR, copy, fs::copy_options::recursive);
    return copy;
  }

  static testing::CommandOutput Build(const fs::path& models) {
    return RunPlaylake("build --project " + dir_->path().string() + " --models " + models.string());
  }

  static testing::TempDir* dir_;
  static std::string* demo_stdout_;
};

testing::TempDir* BuildCommandTest::dir_ = nullptr;
std::string* BuildCommandTest::demo_stdout_ = nullptr;

TEST_F(BuildCommandTest, DemoPrintsTheHeadlinesOfItsExposure) {
  // The demo's answers are the queries of the `demo` exposure (analyses/demo).
  const std::string& out = *demo_stdout_;
  for (const char* title :
       {"Top tracks", "Trending now", "Top countries", "Device split", "Peak listening hour"}) {
    EXPECT_NE(out.find(title), std::string::npos) << out;
  }
  const std::string totals = "Plays, listeners, listening hours\n";
  const std::size_t at = out.find(totals);
  ASSERT_NE(at, std::string::npos) << out;
  EXPECT_EQ(std::stoll(out.substr(at + totals.size())), cli_test::SilverPlays(dir_->path()));
}

TEST_F(BuildCommandTest, QueriesAreNotBoundAgainOnTheColumnsOfTheLastCheck) {
  const std::string build = "--log-level debug build --project " + dir_->path().string();
  const std::string skipped = "the columns they read are those of the last check";
  ASSERT_EQ(RunPlaylake(build).exit_code, 0);
  const auto again = RunPlaylake(build);
  EXPECT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_NE(again.stderr_text.find(skipped), std::string::npos) << again.stderr_text;
  // A build of fewer models checks fewer queries: those are bound.
  const auto some = RunPlaylake(build + " --select volume_anomalies");
  EXPECT_EQ(some.exit_code, 0) << some.stderr_text;
  EXPECT_EQ(some.stderr_text.find(skipped), std::string::npos) << some.stderr_text;
}

// target/vacuum.json: when a build last let DuckDB vacuum the warehouse.
std::int64_t LastVacuum(const fs::path& project) {
  const auto record =
      nlohmann::json::parse(ReadText(project / "target" / "vacuum.json"), nullptr, false);
  return record.is_object() ? record.value("epoch_seconds", std::int64_t{-1}) : -1;
}

TEST_F(BuildCommandTest, VacuumsTheWarehouseAtMostOnceAnHour) {
  const fs::path project = dir_->path();
  const std::string build = "build --project " + project.string();
  ASSERT_EQ(RunPlaylake(build).exit_code, 0);
  ASSERT_GT(LastVacuum(project), 0);  // the demo's run, or this build
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  auto vacuumed_at = [&project](std::int64_t epoch_seconds) {
    cli_test::WriteText(project / "target" / "vacuum.json",
                        nlohmann::json{{"epoch_seconds", epoch_seconds}}.dump());
  };
  vacuumed_at(now - 60);  // a minute ago: this build does not vacuum
  ASSERT_EQ(RunPlaylake(build).exit_code, 0);
  EXPECT_EQ(LastVacuum(project), now - 60);
  vacuumed_at(now - 3601);  // over an hour ago: this one does
  ASSERT_EQ(RunPlaylake(build).exit_code, 0);
  EXPECT_GE(LastVacuum(project), now);
}

TEST_F(BuildCommandTest, StatementsGetOneDuckDBThreadWhenMostOfSilverWasBuilt) {
  const fs::path project = dir_->path();
  const std::string build = "--log-level debug build --project " + project.string();
  const std::string one_thread = "one DuckDB thread a statement";
  // The last vacuum a minute ago: no build here vacuums.
  const std::int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  cli_test::WriteText(project / "target" / "vacuum.json",
                      nlohmann::json{{"epoch_seconds", now - 60}}.dump());
  const auto again = RunPlaylake(build);
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_NE(again.stderr_text.find(one_thread), std::string::npos) << again.stderr_text;
  // A warehouse older than every silver batch: all of silver is new to it.
  const fs::path warehouse = project / "warehouse.duckdb";
  fs::last_write_time(warehouse, fs::last_write_time(warehouse) - std::chrono::hours(24 * 365));
  const auto behind = RunPlaylake(build);
  ASSERT_EQ(behind.exit_code, 0) << behind.stderr_text;
  EXPECT_EQ(behind.stderr_text.find(one_thread), std::string::npos) << behind.stderr_text;
  const auto full = RunPlaylake(build + " --full-refresh");
  ASSERT_EQ(full.exit_code, 0) << full.stderr_text;
  EXPECT_EQ(full.stderr_text.find(one_thread), std::string::npos) << full.stderr_text;
}

TEST_F(BuildCommandTest, ThePipelinePageGetsEachTablesRowsAndNewestEvent) {
  const fs::path project = dir_->path();
  ASSERT_EQ(RunPlaylake("build --project " + project.string()).exit_code, 0);
  const auto status =
      nlohmann::json::parse(ReadText(project / "target" / "pipeline_status.json"), nullptr, false);
  ASSERT_TRUE(status.is_object());
  const auto recount =
      RunPlaylake("sql --format csv --project " + project.string() +
                  " \"SELECT count(*), CAST(max(event_ts) AS VARCHAR) FROM silver.plays\"");
  ASSERT_EQ(recount.exit_code, 0) << recount.stderr_text;
  bool found = false;
  for (const auto& row : status["freshness"]) {
    if (row["table"] != "silver.plays") continue;
    found = true;
    const std::string expected = recount.stdout_text.substr(recount.stdout_text.find('\n') + 1);
    EXPECT_EQ(std::to_string(row["rows"].get<std::int64_t>()) + "," +
                  row["newest_event"].get<std::string>() + "\n",
              expected);
  }
  EXPECT_TRUE(found) << status.dump();
}

TEST_F(BuildCommandTest, RenamedColumnFailsNamingThePage) {
  const fs::path models = CopyModels("renamed_column");
  // volume_anomalies.expected_plays feeds the Overview page's hourly chart.
  ReplaceEverywhere(models / "models" / "marts" / "analytics", "expected_plays", "baseline_plays");
  const auto build = Build(models);
  EXPECT_EQ(build.exit_code, 3) << build.stderr_text;
  // A check that failed is not taken for one that passed.
  EXPECT_EQ(Build(models).exit_code, 3);
  EXPECT_NE(build.stderr_text.find("dashboard page 'Overview'"), std::string::npos)
      << build.stderr_text;
  EXPECT_NE(build.stderr_text.find("analyses/overview/hourly.sql"), std::string::npos)
      << build.stderr_text;
  EXPECT_NE(build.stderr_text.find("expected_plays"), std::string::npos) << build.stderr_text;
  // Only that page's query is named.
  EXPECT_EQ(build.stderr_text.find("dashboard page 'Trending'"), std::string::npos)
      << build.stderr_text;
  // A build of some models checks the pages that read them, and only those.
  const std::string models_flag =
      " --project " + dir_->path().string() + " --models " + models.string();
  const auto mart = RunPlaylake("build --select volume_anomalies" + models_flag);
  EXPECT_EQ(mart.exit_code, 3) << mart.stderr_text;
  EXPECT_NE(mart.stderr_text.find("dashboard page 'Overview'"), std::string::npos)
      << mart.stderr_text;
  const auto other = RunPlaylake("build --select dim_date" + models_flag);
  EXPECT_EQ(other.exit_code, 0) << other.stderr_text;
}

TEST_F(BuildCommandTest, RenamedMartIsFollowedByTheDashboard) {
  const fs::path models = CopyModels("renamed_mart");
  const fs::path analytics = models / "models" / "marts" / "analytics";
  fs::rename(analytics / "volume_anomalies.sql", analytics / "hourly_anomalies.sql");
  ReplaceEverywhere(models, "volume_anomalies", "hourly_anomalies");
  const auto build = Build(models);
  EXPECT_EQ(build.exit_code, 0) << build.stderr_text;
  const auto count = RunPlaylake("sql --gold --format csv --project " + dir_->path().string() +
                                 " \"SELECT count(*) AS n FROM hourly_anomalies\"");
  ASSERT_EQ(count.exit_code, 0) << count.stderr_text;
  EXPECT_NE(count.stdout_text, "n\n0\n");
}

TEST_F(BuildCommandTest, QueryReadingAnUndeclaredModelIsRefused) {
  const fs::path models = CopyModels("undeclared");
  // The Overview page's hourly query now reads a model its exposure does not list.
  ReplaceEverywhere(models / "analyses" / "overview", "ref('volume_anomalies')",
                    "ref('hourly_activity')");
  const auto build = Build(models);
  EXPECT_EQ(build.exit_code, 3) << build.stderr_text;
  EXPECT_NE(build.stderr_text.find("ref('hourly_activity') is not in the depends_on of exposure "
                                   "'overview'"),
            std::string::npos)
      << build.stderr_text;
}

}  // namespace
}  // namespace playlake
