// `playlake run` and `playlake vacuum` as a user meets them: one exit code per
// cause, the cause in the run record, no leftovers after a crash or a full disk.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cli/test_util.h"
#include "lake/lake.h"
#include "testing/testing.h"

namespace playlake {
namespace {

namespace fs = std::filesystem;
using testing::RunPlaylake;
using testing::RunShell;
using testing::TempDir;

// The project of WriteModelProject with model `listeners`.
void WriteProject(const fs::path& dir, const std::string& model_sql,
                  const std::string& schema_yml) {
  cli_test::WriteModelProject(dir, "listeners", model_sql, schema_yml);
}

constexpr const char* kListeners = "select distinct user_id from silver.plays";
constexpr const char* kNoTests = "models:\n  - name: listeners\n";

// The last record of target/runs.jsonl.
nlohmann::json LastRun(const fs::path& project) {
  std::ifstream in(project / "target" / "runs.jsonl");
  std::string line, last;
  while (std::getline(in, line)) last = line;
  return last.empty() ? nlohmann::json() : nlohmann::json::parse(last);
}

TEST(RunCommand, FailingDataTestExits7AndNamesTheTest) {
  TempDir dir;
  WriteProject(dir.path(), kListeners,
               "models:\n  - name: listeners\n    columns:\n      - name: user_id\n"
               "        tests:\n          - accepted_values: {values: ['nobody']}\n");
  const auto run = RunPlaylake("run --project " + dir.path().string());
  EXPECT_EQ(run.exit_code, 7) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("test.t.accepted_values_listeners_user_id__nobody"),
            std::string::npos)
      << run.stderr_text;
  const auto record = LastRun(dir.path());
  EXPECT_EQ(record["status"], "failed");
  EXPECT_EQ(record["cause"], "data test failed");
}

TEST(RunCommand, AMovedProjectReadsNoInputAgainAndKeepsWhatItBuilt) {
  TempDir dir;
  WriteProject(dir.path() / "old",
               "{{ config(materialized='table') }} "
               "select distinct user_id from {{ source('silver', 'plays') }}",
               "sources:\n  - name: silver\n    tables:\n      - name: plays\n");
  ASSERT_EQ(RunPlaylake("run --project " + (dir.path() / "old").string()).exit_code, 0);
  fs::rename(dir.path() / "old", dir.path() / "new");
  const fs::path project = dir.path() / "new";
  // Bytes changed under the same size and modification time: what the quick
  // check does not read (docs/lake-format.md), so nothing new may land.
  const fs::path input = project / "data" / "2018-11-01-events.json";
  const auto modified = fs::last_write_time(input);
  std::string text = testing::ReadFile(input);
  text[text.find("\"userId\":\"") + 10] ^= 1;
  cli_test::WriteText(input, text);
  fs::last_write_time(input, modified);

  const auto run = RunPlaylake("run --project " + project.string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("0 new, 0 records"), std::string::npos) << run.stderr_text;
  std::ifstream file(project / "target" / "run_results.json");
  const auto results = nlohmann::json::parse(file);
  int kept = 0;
  for (const auto& node : results["results"]) {
    const std::string message = node["message"];
    kept += node["unique_id"] == "model.t.listeners" && message.starts_with("kept");
  }
  EXPECT_EQ(kept, 1) << "the model was built again after the move: " << results.dump();
}

TEST(RunCommand, ModelErrorExits6NotAsATestFailure) {
  TempDir dir;
  WriteProject(dir.path(), "select no_such_column from silver.plays", kNoTests);
  const auto run = RunPlaylake("run --project " + dir.path().string());
  EXPECT_EQ(run.exit_code, 6) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("model.t.listeners"), std::string::npos) << run.stderr_text;
  EXPECT_EQ(LastRun(dir.path())["cause"], "warehouse error");
}

TEST(RunCommand, MissingInputFolderExits4) {
  TempDir dir;
  WriteProject(dir.path(), kListeners, kNoTests);
  fs::remove_all(dir / "data");
  const auto run = RunPlaylake("run --project " + dir.path().string());
  EXPECT_EQ(run.exit_code, 4) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find((dir / "data").string()), std::string::npos) << run.stderr_text;
  EXPECT_EQ(LastRun(dir.path())["cause"], "not found");
}

// Files under the lake no manifest names (temporaries included).
std::set<std::string> Uncommitted(const fs::path& lake_root) {
  auto lake = lake::Lake::OpenLocal(lake_root, {});
  EXPECT_TRUE(lake);
  std::set<std::string> keys;
  for (const char* prefix : {"bronze", "silver"}) {
    auto all = (*lake)->storage().ListAll(prefix);
    EXPECT_TRUE(all);
    for (const auto& o : *all) keys.insert(o.key);
  }
  for (const char* layer : {"bronze", "silver"}) {
    auto entries = (*lake)->Entries(layer);
    EXPECT_TRUE(entries);
    for (const auto& e : *entries) {
      for (const auto& f : e.files) keys.erase(f.key);
    }
  }
  return keys;
}

// A tmpfs of `size` mounted on `dir` while alive: a disk that fills up. Needs
// root, as CI has; without it the test fails saying so.
class SmallDisk {
 public:
  SmallDisk(fs::path dir, const std::string& size) : dir_(std::move(dir)) {
    fs::create_directories(dir_);
    const auto mount = RunShell("mount -t tmpfs -o size=" + size + " tmpfs " + dir_.string());
    error_ = mount.exit_code == 0 ? "" : mount.stderr_text;
  }
  ~SmallDisk() {
    if (error_.empty()) RunShell("umount " + dir_.string());
  }
  // Empty when mounted.
  const std::string& error() const { return error_; }

 private:
  fs::path dir_;
  std::string error_;
};

// Runs the project in `dir` with its lake on a 64 KiB disk of which a file
// takes `filler_kb`, expecting the run to fail for the full disk; then frees
// the space and runs again. Returns the failed run's record.
nlohmann::json RunOnFullDisk(const fs::path& dir, int filler_kb) {
  WriteProject(dir, kListeners, kNoTests);
  // One day that fits the disk once, not beside the filler.
  fs::remove(dir / "data" / "2018-11-01-events.json");
  fs::copy_file(cli_test::SparkifyDay("2018-11-02"), dir / "data" / "2018-11-02-events.json");
  SmallDisk disk(dir / "lake", "64k");
  EXPECT_EQ(disk.error(), "") << "this test needs root, to mount a small tmpfs";
  if (!disk.error().empty()) return {};
  cli_test::WriteText(dir / "lake" / "filler",
                      std::string(static_cast<std::size_t>(filler_kb) * 1024, 'x'));
  const std::string project = " --project " + dir.string();
  const auto full = RunPlaylake("run" + project);
  EXPECT_EQ(full.exit_code, 4) << full.stderr_text;
  EXPECT_NE(full.stderr_text.find("No space left on device"), std::string::npos)
      << full.stderr_text;
  const nlohmann::json record = LastRun(dir);
  EXPECT_EQ(record["status"], "failed");
  // The space is back: the retry succeeds, and what the failed run left is gone.
  fs::remove(dir / "lake" / "filler");
  const auto retry = RunPlaylake("run" + project);
  EXPECT_EQ(retry.exit_code, 0) << retry.stderr_text;
  EXPECT_EQ(Uncommitted(dir / "lake"), std::set<std::string>());
  EXPECT_GT(cli_test::SilverPlays(dir), 0);
  return record;
}

TEST(RunCommand, FullDiskWhileWritingBronzeExits4AndSaysSo) {
  TempDir dir;
  const auto record = RunOnFullDisk(dir.path(), 52);
  EXPECT_EQ(record["cause"], "disk full");
  EXPECT_NE(record["error"].get<std::string>().find("the disk is full"), std::string::npos)
      << record;
}

TEST(RunCommand, FullDiskWhileDuckDbWritesSilverExits4) {
  TempDir dir;
  const auto record = RunOnFullDisk(dir.path(), 40);
  EXPECT_EQ(record["cause"], "disk full");
  EXPECT_NE(record["error"].get<std::string>().find("DuckDB"), std::string::npos) << record;
  EXPECT_NE(record["error"].get<std::string>().find("the disk is full"), std::string::npos)
      << record;
}

TEST(RunCommand, FullDiskWhileDuckDbBuildsGoldExits4AsADiskFull) {
  TempDir dir;
  WriteProject(dir.path(),
               "{{ config(materialized='table') }}\n"
               "select range as i, md5(range::varchar) || md5((range * 7)::varchar) as s "
               "from range(400000)",
               kNoTests);
  cli_test::WriteText(dir / "playlake.yml",
                      testing::ReadFile(dir / "playlake.yml") + "warehouse: wh/gold.duckdb\n");
  SmallDisk disk(dir / "wh", "2m");
  ASSERT_EQ(disk.error(), "") << "this test needs root, to mount a small tmpfs";
  const auto run = RunPlaylake("run --project " + dir.path().string());
  EXPECT_EQ(run.exit_code, 4) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("No space left on device"), std::string::npos) << run.stderr_text;
  const auto record = LastRun(dir.path());
  EXPECT_EQ(record["cause"], "disk full") << record;
  EXPECT_NE(record["error"].get<std::string>().find("the disk is full"), std::string::npos)
      << record;
}

TEST(VacuumCommand, RemovesWhatACrashedIngestLeftAfterTheGracePeriod) {
  TempDir dir;
  WriteProject(dir.path(), kListeners, kNoTests);
  const std::string project = " --project " + dir.path().string();
  const auto crashed = RunPlaylake("ingest --crash-at silver-synced" + project);
  ASSERT_EQ(crashed.exit_code, 137) << crashed.stderr_text;
  const auto left = Uncommitted(dir / "lake");
  ASSERT_FALSE(left.empty());

  // Within the default hour a writer might still be at work on them.
  auto vacuum = RunPlaylake("vacuum" + project);
  ASSERT_EQ(vacuum.exit_code, 0) << vacuum.stderr_text;
  EXPECT_NE(vacuum.stdout_text.find("removed 0 uncommitted files"), std::string::npos)
      << vacuum.stdout_text;
  EXPECT_EQ(Uncommitted(dir / "lake"), left);

  vacuum = RunPlaylake("vacuum --older-than 0s" + project);
  ASSERT_EQ(vacuum.exit_code, 0) << vacuum.stderr_text;
  EXPECT_NE(vacuum.stdout_text.find(fmt::format("removed {} uncommitted file", left.size())),
            std::string::npos)
      << vacuum.stdout_text;
  EXPECT_TRUE(Uncommitted(dir / "lake").empty());
  // The committed bronze batch is intact: the next ingest finishes its silver.
  ASSERT_EQ(RunPlaylake("ingest" + project).exit_code, 0);
  EXPECT_GT(cli_test::SilverPlays(dir.path()), 0);
  EXPECT_EQ(RunPlaylake("vacuum --older-than 1x" + project).exit_code, 2);
}

TEST(VacuumCommand, TheNextIngestRemovesWhatACrashedOneLeft) {
  TempDir dir;
  WriteProject(dir.path(), kListeners, kNoTests);
  const std::string project = " --project " + dir.path().string();
  ASSERT_EQ(RunPlaylake("ingest --crash-at bronze-synced" + project).exit_code, 137);
  ASSERT_FALSE(Uncommitted(dir / "lake").empty());
  const auto again = RunPlaylake("ingest" + project);
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_TRUE(Uncommitted(dir / "lake").empty());
}

}  // namespace
}  // namespace playlake
