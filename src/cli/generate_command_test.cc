// `playlake generate` as a user runs it: flags, exit codes, outputs.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "testing/testing.h"

namespace playlake {
namespace {

using testing::RunPlaylake;

size_t CountLines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(GenerateCommand, SameFlagsSameBytesWhateverTheThreadCount) {
  const std::string flags =
      "generate --users 150 --start 2026-07-06 --end 2026-07-12 --dup-rate 0.01 --late-rate 0.01 "
      "--bad-rate 0.01 "
      "--unknown-field-rate 0.01 --quiet --seed ";
  const auto one = RunPlaylake(flags + "5 --threads 1");
  ASSERT_EQ(one.exit_code, 0) << one.stderr_text;
  ASSERT_GT(CountLines(one.stdout_text), 5000u);
  for (const char* threads : {"2", "3"}) {
    const auto many = RunPlaylake(flags + "5 --threads " + threads);
    ASSERT_EQ(many.exit_code, 0) << many.stderr_text;
    EXPECT_TRUE(many.stdout_text == one.stdout_text) << threads << " threads differ";
  }
  const auto other_seed = RunPlaylake(flags + "6 --threads 2");
  ASSERT_EQ(other_seed.exit_code, 0);
  EXPECT_NE(other_seed.stdout_text, one.stdout_text);
  // The eventsim format is deterministic too.
  const std::string eventsim =
      "generate --format eventsim --users 80 --start 2026-07-06 --end 2026-07-08 --quiet";
  EXPECT_EQ(RunPlaylake(eventsim + " --threads 1").stdout_text,
            RunPlaylake(eventsim + " --threads 3").stdout_text);
}

TEST(GenerateCommand, EventsIsExactAndDirectoriesGetOneFilePerUtcDay) {
  testing::TempDir dir;
  const auto out = dir / "events";
  const auto run = RunPlaylake(
      "generate --users 300 --start 2026-07-06 --end 2026-07-09 --events 12345 --threads 2 --out " +
      out.string() + "/");
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("generated 12345 plays"), std::string::npos) << run.stderr_text;
  size_t total = 0;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(out))
    names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  ASSERT_EQ(names,
            (std::vector<std::string>{"events-2026-07-06.jsonl", "events-2026-07-07.jsonl",
                                      "events-2026-07-08.jsonl", "events-2026-07-09.jsonl"}));
  for (const auto& name : names) {
    std::istringstream in(testing::ReadFile(out / name));
    const std::string day = name.substr(7, 10);
    for (std::string line; std::getline(in, line); ++total) {
      ASSERT_EQ(nlohmann::json::parse(line)["ts"].get<std::string>().substr(0, 10), day);
    }
  }
  EXPECT_EQ(total, 12345u);
}

TEST(GenerateCommand, WritesFilesAtomicallyAndTheCatalog) {
  testing::TempDir dir;
  const auto run =
      RunPlaylake("generate --users 40 --start 2026-07-06 --end 2026-07-06 --out " +
                  (dir / "plays.jsonl").string() + " --catalog-out " + (dir / "catalog").string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    names.push_back(entry.path().lexically_relative(dir.path()).string());
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"catalog", "catalog/albums.jsonl",
                                             "catalog/artists.jsonl", "catalog/tracks.jsonl",
                                             "catalog/users.jsonl", "plays.jsonl"}))
      << "no temporary files are left behind";
  EXPECT_EQ(CountLines(testing::ReadFile(dir / "catalog" / "users.jsonl")), 40u);
  // A folder that does not exist is an I/O error, and nothing is written.
  const auto missing =
      RunPlaylake("generate --users 5 --out " + (dir / "nope" / "x.jsonl").string());
  EXPECT_EQ(missing.exit_code, 4) << missing.stderr_text;
}

TEST(GenerateCommand, BadValuesNameTheFlagAndExitWith2) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--dup-rate 1.5", "--dup-rate"}, {"--late-rate -0.1", "--late-rate"},
      {"--bad-rate x", "--bad-rate"},   {"--unknown-field-rate 2", "--unknown-field-rate"},
      {"--users 0", "--users"},         {"--start 2026-02-30", "--start"},
      {"--end 2026-13-01", "--end"},    {"--start 2026-07-10 --end 2026-07-01", "--start"},
      {"--format csv", "--format"},     {"--threads -1", "--threads"},
      {"--rate 100", "--realtime"},     {"--realtime", "--rate"},
  };
  for (const auto& [args, flag] : cases) {
    const auto run = RunPlaylake("generate " + args);
    EXPECT_EQ(run.exit_code, 2) << args;
    EXPECT_NE(run.stderr_text.find(flag), std::string::npos) << args << ": " << run.stderr_text;
  }
}

TEST(GenerateCommand, HelpExplainsEveryFlag) {
  const auto run = RunPlaylake("generate --help");
  ASSERT_EQ(run.exit_code, 0);
  for (const char* flag : {"--seed", "--users", "--start", "--end", "--events", "--format", "--out",
                           "--dup-rate", "--late-rate", "--bad-rate", "--unknown-field-rate",
                           "--rate", "--realtime", "--threads", "--catalog-out", "--tracks"}) {
    EXPECT_NE(run.stdout_text.find(flag), std::string::npos) << flag;
  }
}

TEST(GenerateCommand, RealtimeStampsTheWallClockAtTheRequestedRate) {
  const auto before = std::chrono::system_clock::now();
  const auto run = RunPlaylake("generate --users 100 --rate 1000 --realtime --events 400 --quiet");
  const auto after = std::chrono::system_clock::now();
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_EQ(CountLines(run.stdout_text), 400u);
  // 400 events at 1000/s take about 0.4 s.
  EXPECT_GE(after - before, std::chrono::milliseconds(350));
  std::istringstream in(run.stdout_text);
  std::string line;
  std::getline(in, line);
  const std::string ts = nlohmann::json::parse(line)["ts"];
  const auto t = std::chrono::system_clock::to_time_t(before);
  char today[11];
  std::strftime(today, sizeof today, "%Y-%m-%d", std::gmtime(&t));
  EXPECT_EQ(ts.substr(0, 10), today);
}

TEST(GenerateCommand, RealtimeStopsCleanlyOnSigterm) {
  // Stopped once it has written 100 plays (or after 30 s, on a very busy machine),
  // so the test does not depend on how fast the process starts.
  testing::TempDir dir;
  const std::string out = (dir / "plays.jsonl").string();
  const auto run = testing::RunShell(
      testing::PlaylakeBinary() + " generate --users 50 --rate 200 --realtime --quiet > " + out +
      " & pid=$!; for i in $(seq 300); do [ $(wc -l < " + out +
      ") -gt 100 ] && break; sleep 0.1; done; kill -TERM $pid; wait $pid; echo exit=$?");
  EXPECT_NE(run.stdout_text.find("exit=0"), std::string::npos) << run.stdout_text;
  EXPECT_GT(CountLines(testing::ReadFile(out)), 100u);
}

}  // namespace
}  // namespace playlake
