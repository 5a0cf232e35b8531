#include "pipeline/scheduler.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <thread>

#include "pipeline/alert.h"
#include "testing/testing.h"

namespace playlake::pipeline {
namespace {

// A project whose schedule fires every second, with alerts to `webhook`.
config::ProjectConfig EverySecond(const std::filesystem::path& root, const std::string& webhook) {
  auto project = config::ParseProject("name: radio\nschedule: {cron: '* * * * * *'}\n", root);
  EXPECT_TRUE(project.has_value());
  project->alerts.webhook = webhook;
  return *project;
}

// Lines of the project's run history.
std::vector<nlohmann::json> Runs(const std::filesystem::path& root) {
  std::vector<nlohmann::json> runs;
  std::ifstream in(root / "target" / "runs.jsonl");
  for (std::string line; std::getline(in, line);) runs.push_back(nlohmann::json::parse(line));
  return runs;
}

// Waits until `done` says so, 30 s at most.
void WaitUntil(const std::function<bool()>& done) {
  for (int i = 0; i < 600 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
}

// A shell script `name` in `dir` that stands in for `playlake run`; it is
// called with --log-level info run --project DIR, so "$5" is the project.
std::filesystem::path Script(const testing::TempDir& dir, const std::string& name,
                             const std::string& body) {
  const auto program = dir / name;
  std::ofstream(program) << "#!/bin/sh\n" << body << "\n";
  std::filesystem::permissions(program, std::filesystem::perms::owner_all);
  return program;
}

// Runs `scheduler` until `done` (30 s at most).
int RunUntil(Scheduler& scheduler, const std::function<bool()>& done) {
  std::thread stopper([&] {
    WaitUntil(done);
    scheduler.Stop();
  });
  const auto runs = scheduler.Run();
  stopper.join();
  EXPECT_TRUE(runs.has_value()) << runs.error().message;
  return runs.value_or(0);
}

TEST(Scheduler, RecordsAndAlertsARunWhoseProcessWasKilled) {
  testing::TempDir dir;
  testing::WebhookReceiver webhook;
  // Dies by SIGKILL before it records anything.
  const auto program = Script(dir, "dies.sh", "kill -9 $$");
  Scheduler scheduler(EverySecond(dir.path(), webhook.url()), program.string(), "info");
  EXPECT_GE(RunUntil(scheduler, [&] { return !Runs(dir.path()).empty(); }), 1);

  const auto runs = Runs(dir.path());
  ASSERT_FALSE(runs.empty());
  EXPECT_EQ(runs[0]["status"], "failed");
  EXPECT_NE(runs[0]["error"].get<std::string>().find("killed by signal 9"), std::string::npos)
      << runs[0].dump();
  const auto alerts = webhook.WaitFor(1, 10);
  ASSERT_FALSE(alerts.empty());
  EXPECT_EQ(nlohmann::json::parse(alerts[0])["event"], "run_failed");
}

TEST(Scheduler, RecordsARunThatCannotStart) {
  testing::TempDir dir;
  Scheduler scheduler(EverySecond(dir.path(), ""), (dir / "no-such-program").string(), "info");
  RunUntil(scheduler, [&] { return !Runs(dir.path()).empty(); });
  const auto runs = Runs(dir.path());
  ASSERT_FALSE(runs.empty());
  EXPECT_NE(runs[0]["error"].get<std::string>().find("cannot start"), std::string::npos)
      << runs[0].dump();
}

TEST(Scheduler, StopEndsTheRunGoingAndRecordsItWithoutAnAlert) {
  testing::TempDir dir;
  testing::WebhookReceiver webhook;
  const auto program = Script(dir, "slow.sh", "exec sleep 60");
  Scheduler scheduler(EverySecond(dir.path(), webhook.url()), program.string(), "info");
  const auto start = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    scheduler.Stop();
  });
  EXPECT_EQ(scheduler.Run().value_or(0), 1);
  stopper.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(30));
  const auto runs = Runs(dir.path());
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_NE(runs[0]["error"].get<std::string>().find("scheduler was stopped"), std::string::npos);
  EXPECT_TRUE(webhook.bodies().empty());
}

TEST(Scheduler, ARunGetsNoneOfTheSchedulersFilesOrSockets) {
  testing::TempDir dir;
  // Open without close-on-exec, as cpp-httplib opens the server's sockets.
  const int fd = ::open((dir / "held").c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(fd, 3);
  // Writes its open descriptors to the project folder, whole (renamed into
  // place) before the test stops the scheduler.
  const auto program =
      Script(dir, "fds.sh", "ls /proc/$$/fd > \"$5/fds.tmp\" && mv \"$5/fds.tmp\" \"$5/fds.txt\"");
  Scheduler scheduler(EverySecond(dir.path(), ""), program.string(), "info");
  RunUntil(scheduler, [&] { return std::filesystem::exists(dir / "fds.txt"); });
  ::close(fd);
  std::ifstream listed(dir / "fds.txt");
  std::vector<int> fds;
  for (int n; listed >> n;) fds.push_back(n);
  ASSERT_FALSE(fds.empty());
  EXPECT_EQ(std::count(fds.begin(), fds.end(), fd), 0) << "descriptor " << fd << " reached the run";
}

// A stand-in run that appends `name` to who.txt in the project folder.
std::filesystem::path Writes(const testing::TempDir& dir, const std::string& name) {
  return Script(dir, name + ".sh", "echo " + name + " >> \"$5/who.txt\"");
}

std::string Who(const testing::TempDir& dir) { return testing::ReadFile(dir / "who.txt"); }

TEST(Scheduler, ASecondSchedulerOfAProjectStandsByAndTakesOverWhenTheFirstStops) {
  testing::TempDir dir;
  Scheduler first(EverySecond(dir.path(), ""), Writes(dir, "first").string(), "info");
  Scheduler second(EverySecond(dir.path(), ""), Writes(dir, "second").string(), "info");
  std::thread one([&] { EXPECT_TRUE(first.Run().has_value()); });
  WaitUntil([&] { return !Who(dir).empty(); });
  ASSERT_NE(Who(dir).find("first"), std::string::npos);
  std::thread two([&] { EXPECT_TRUE(second.Run().has_value()); });
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  EXPECT_EQ(Who(dir).find("second"), std::string::npos) << "two schedulers ran: " << Who(dir);
  first.Stop();
  one.join();
  WaitUntil([&] { return Who(dir).find("second") != std::string::npos; });
  second.Stop();
  two.join();
  EXPECT_NE(Who(dir).find("second"), std::string::npos) << "the second did not take over";
}

}  // namespace
}  // namespace playlake::pipeline
