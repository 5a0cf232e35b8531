// kill -9 at every commit step, and at random moments of a large ingest: a
// re-run always ends with exactly the lake a clean run makes.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "lake/faults.h"
#include "silver/test_util.h"
#include "sources/tables.h"
#include "testing/testing.h"

extern char** environ;

namespace playlake::silver {
namespace {

namespace fs = std::filesystem;
using testing::RealData;
using testing::RunPlaylake;
using testing::TempDir;

// Count and an order-independent hash of every row of every silver table.
std::string Fingerprint(const fs::path& lake_root) {
  TestLake lake(lake_root);
  std::string out;
  for (const sources::TableSpec* spec : sources::AllTables()) {
    out += fmt::format("{}: {}\n", spec->name,
                       lake.Scalar(fmt::format("SELECT count(*) || '/' || coalesce(sum(hash(t)), 0) "
                                               "FROM {} t",
                                               spec->name)));
  }
  return out;
}

// Every committed file exists and the views agree with the manifests' counts.
void ExpectConsistent(const fs::path& lake_root) {
  TestLake lake(lake_root);
  auto entries = lake.lake().Entries("silver");
  ASSERT_TRUE(entries);
  std::int64_t plays = 0;
  for (const auto& e : *entries) {
    for (const auto& f : e.files) EXPECT_TRUE(fs::exists(lake_root / f.key)) << f.key;
    const auto it = e.stats.find("written.plays");
    if (it != e.stats.end()) plays += it->second;
  }
  EXPECT_EQ(lake.Count("plays"), plays);
}

std::string Inputs() {
  const fs::path logs = RealData() / "sparkify" / "log_data" / "2018" / "11";
  return fmt::format("{} {} {} {}", (logs / "2018-11-01-events.json").string(),
                     (logs / "2018-11-02-events.json").string(),
                     (RealData() / "sparkify" / "song_data" / "A" / "A" / "A").string(),
                     (RealData() / "spotify_history" / "Streaming_History_Audio_2022.json").string());
}

TEST(Crash, KillAtEveryCommitStepThenRerunEqualsACleanRun) {
  TempDir dir;
  const std::string inputs = Inputs();
  const auto clean = RunPlaylake(fmt::format("ingest {} --lake {} --user alice --threads 2", inputs,
                                             (dir / "clean").string()));
  ASSERT_EQ(clean.exit_code, 0) << clean.stderr_text;
  const std::string expected = Fingerprint(dir / "clean");
  ASSERT_NE(expected.find("plays: "), std::string::npos);
  int case_number = 0;
  for (std::string_view step : lake::kCrashSteps) {
    // The 2nd occurrence of a step crashes with one input already committed.
    for (int occurrence : {2}) {
      const fs::path lake = dir / fmt::format("crash{}", case_number++);
      const auto crashed =
          RunPlaylake(fmt::format("ingest {} --lake {} --user alice --threads 2 --crash-at {}:{}",
                                  inputs, lake.string(), step, occurrence));
      EXPECT_EQ(crashed.exit_code, 128 + SIGKILL) << step << ":" << occurrence;
      ExpectConsistent(lake);
      const auto rerun = RunPlaylake(
          fmt::format("ingest {} --lake {} --user alice --threads 2", inputs, lake.string()));
      ASSERT_EQ(rerun.exit_code, 0) << rerun.stderr_text;
      EXPECT_EQ(Fingerprint(lake), expected) << "after a crash at " << step << ":" << occurrence;
    }
  }
}

// Starts `playlake ARGS...` and returns its pid.
pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> argv_storage = {testing::PlaylakeBinary()};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = -1;
  EXPECT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  return pid;
}

TEST(Crash, RandomSigkillsDuringALargeIngestThenRerunEqualsACleanRun) {
  TempDir dir;
  const fs::path input = dir / "in";
  const auto generated = RunPlaylake(
      fmt::format("generate --events 100000 --dup-rate 0.01 --late-rate 0.01 --bad-rate 0.001 "
                  "--quiet --threads 1 --out {}/ --start 2026-01-05 --end 2026-01-07",
                  input.string()));
  ASSERT_EQ(generated.exit_code, 0) << generated.stderr_text;
  const std::vector<std::string> args = {"ingest", input.string(), "--threads", "2"};
  auto with_lake = [&](const fs::path& lake) {
    std::vector<std::string> a = args;
    a.push_back("--lake");
    a.push_back(lake.string());
    return a;
  };
  const auto started = std::chrono::steady_clock::now();
  {
    const pid_t pid = Spawn(with_lake(dir / "clean"));
    int status = 0;
    waitpid(pid, &status, 0);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  // Kill times spread over the clean run's duration, so that they fall inside
  // a run however fast this build and machine are.
  const auto clean_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - started)
                            .count();
  const std::string expected = Fingerprint(dir / "clean");
  std::mt19937 random(20261101);  // fixed seed: the same kill times for the same duration
  std::uniform_int_distribution<int> delay_ms(static_cast<int>(clean_ms / 50),
                                              static_cast<int>(clean_ms * 9 / 10));
  int killed = 0;
  for (int attempt = 0; attempt < 4; ++attempt) {
    const pid_t pid = Spawn(with_lake(dir / "killed"));
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFSIGNALED(status)) ++killed;
    ExpectConsistent(dir / "killed");
  }
  EXPECT_GE(killed, 1) << "no run was interrupted: the input is too small for the delays";
  const pid_t pid = Spawn(with_lake(dir / "killed"));
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(Fingerprint(dir / "killed"), expected);
}

}  // namespace
}  // namespace playlake::silver
