// `playlake schedule`, and the scheduler of `playlake serve`, as a user runs them.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/test_util.h"
#include "testing/testing.h"

namespace playlake {
namespace {

using cli_test::AddSparkifyDay;
using testing::RunPlaylake;
using testing::TempDir;

void Append(const std::filesystem::path& file, const std::string& text) {
  std::ofstream(file, std::ios::app) << text;
}

// The events of the alerts `webhook` received.
std::vector<std::string> Events(const testing::WebhookReceiver& webhook) {
  std::vector<std::string> events;
  for (const auto& body : webhook.bodies()) events.push_back(nlohmann::json::parse(body)["event"]);
  return events;
}

TEST(ScheduleCommand, NextPrintsTheTimesItWouldRun) {
  TempDir dir;
  ASSERT_EQ(RunPlaylake("init " + dir.path().string()).exit_code, 0);
  const auto before = std::chrono::system_clock::now();
  const auto run =
      RunPlaylake("schedule --cron '0 */6 * * *' --next 3 --project " + dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  std::vector<std::int64_t> times;  // epoch seconds
  std::istringstream lines(run.stdout_text);
  for (std::string line; std::getline(lines, line);) {
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%d-%d-%dT%d:%d:%dZ", &y, &mo, &d, &h, &mi, &s), 6) << line;
    EXPECT_EQ(h % 6, 0) << line;
    EXPECT_EQ(mi * 60 + s, 0) << line;
    const std::chrono::sys_days day{std::chrono::year{y} / mo / d};
    times.push_back(
        std::chrono::duration_cast<std::chrono::seconds>(day.time_since_epoch()).count() +
        h * 3600);
  }
  ASSERT_EQ(times.size(), 3u);
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(before.time_since_epoch()).count();
  EXPECT_GT(times[0], now - 1);
  EXPECT_LE(times[0], now + 6 * 3600);
  EXPECT_EQ(times[1] - times[0], 6 * 3600);
  EXPECT_EQ(times[2] - times[1], 6 * 3600);
}

TEST(ScheduleCommand, AProjectWithoutAScheduleOrABadOneIsRefused) {
  TempDir dir;
  ASSERT_EQ(RunPlaylake("init " + dir.path().string()).exit_code, 0);
  const auto none = RunPlaylake("schedule --project " + dir.path().string());
  EXPECT_EQ(none.exit_code, 3);
  EXPECT_NE(none.stderr_text.find("has no schedule"), std::string::npos) << none.stderr_text;
  const auto bad = RunPlaylake("schedule --cron '0 25 * * *' --project " + dir.path().string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.stderr_text.find("hour field '25'"), std::string::npos) << bad.stderr_text;
  Append(dir / "playlake.yml", "schedule:\n  cron: 'every hour'\n");
  const auto file = RunPlaylake("schedule --project " + dir.path().string());
  EXPECT_EQ(file.exit_code, 3);
  EXPECT_NE(file.stderr_text.find("schedule.cron"), std::string::npos) << file.stderr_text;
}

// The first day holds too few plays for the project's test; the second day,
// put in place while the scheduler runs, makes it pass.
TEST(ScheduleCommand, RunsThePipelineOnItsScheduleAndAlertsWhenItFailsAndRecovers) {
  TempDir dir;
  const auto project = dir / "radio";
  ASSERT_EQ(RunPlaylake("init " + project.string()).exit_code, 0);
  AddSparkifyDay(project, "2018-11-01");
  std::filesystem::create_directories(project / "m" / "models");
  std::filesystem::create_directories(project / "m" / "tests");
  std::ofstream(project / "m" / "dbt_project.yml")
      << "name: radio\nmodel-paths: [models]\ntest-paths: [tests]\n";
  std::ofstream(project / "m" / "models" / "sources.yml")
      << "version: 2\nsources:\n  - name: silver\n    tables:\n      - name: plays\n";
  std::ofstream(project / "m" / "models" / "play_count.sql")
      << "select count(*) as plays from {{ source('silver', 'plays') }}\n";
  std::ofstream(project / "m" / "tests" / "assert_a_hundred_plays.sql")
      << "select plays from {{ ref('play_count') }} where plays < 100\n";
  Append(project / "playlake.yml", "models: m\nschedule:\n  cron: '* * * * * *'\n");
  testing::WebhookReceiver webhook;
  ASSERT_EQ(setenv("PLAYLAKE_ALERT_WEBHOOK", webhook.url().c_str(), 1), 0);
  testing::Background scheduler({"schedule", "--project", project.string()}, dir / "schedule.out");
  unsetenv("PLAYLAKE_ALERT_WEBHOOK");

  webhook.WaitFor(1, 60);
  ASSERT_FALSE(Events(webhook).empty()) << scheduler.log();
  EXPECT_EQ(Events(webhook)[0], "run_failed");
  const auto failed = nlohmann::json::parse(webhook.bodies()[0]);
  EXPECT_NE(failed["text"].get<std::string>().find(
                "failed: build: 1 built, 0 tests passed, 0 warned, 1 failed"),
            std::string::npos)
      << failed.dump();
  AddSparkifyDay(project, "2018-11-02");
  for (int i = 0; i < 600 && Events(webhook).back() != "run_recovered"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Events(webhook).back(), "run_recovered") << scheduler.log();
  // A success after a success is no news: the runs go on without alerts.
  const auto alerts = Events(webhook).size();
  const auto recorded = [&] {
    std::ifstream history(project / "target" / "runs.jsonl");
    std::size_t runs = 0;
    for (std::string line; std::getline(history, line);) ++runs;
    return runs;
  };
  const std::size_t runs_then = recorded();
  std::size_t runs_now = runs_then;
  for (int i = 0; i < 600 && runs_now < runs_then + 2; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    runs_now = recorded();
  }
  EXPECT_GE(runs_now, runs_then + 2) << scheduler.log();
  EXPECT_EQ(Events(webhook).size(), alerts);

  EXPECT_EQ(scheduler.Stop(), 0);
  const std::string log = scheduler.log();
  EXPECT_NE(log.find("next run of radio at"), std::string::npos) << log;
  EXPECT_NE(log.find("scheduler stopped after"), std::string::npos) << log;
  EXPECT_EQ(log.find("secret-token"), std::string::npos) << "the webhook URL is a secret";
}

// The built-in scheduler beside the dashboard: a file put in the source folder
// shows on the dashboard with no one running anything.
TEST(ServeCommand, RunsTheScheduleAndTheDashboardShowsWhatTheRunsAdd) {
  TempDir dir;
  const auto project = dir / "radio";
  ASSERT_EQ(RunPlaylake("init " + project.string()).exit_code, 0);
  AddSparkifyDay(project, "2018-11-01");
  ASSERT_EQ(RunPlaylake("run --project " + project.string()).exit_code, 0);
  Append(project / "playlake.yml", "schedule:\n  cron: '*/2 * * * * *'\n");
  testing::Dashboard dashboard(project, dir / "serve.out");
  ASSERT_NE(dashboard.port(), 0) << dashboard.log();
  EXPECT_EQ(cli_test::OverviewPlays(dashboard.port()), 11);

  AddSparkifyDay(project, "2018-11-02");
  long long shown = 0;
  for (int i = 0; i < 1200 && shown <= 11; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    shown = cli_test::OverviewPlays(dashboard.port());
  }
  EXPECT_EQ(shown, cli_test::SilverPlays(project)) << dashboard.log();
  EXPECT_NE(dashboard.log().find("scheduled run started"), std::string::npos) << dashboard.log();
  // The new build's first pages are answered before anyone asks.
  for (int i = 0;
       i < 100 && dashboard.log().find("first pages on the new build") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(dashboard.log().find("first pages on the new build"), std::string::npos)
      << dashboard.log();

  // The pipeline page says when the next run is: within two seconds.
  httplib::Client client("127.0.0.1", dashboard.port());
  const auto answer = client.Get("/api/pipeline");
  ASSERT_TRUE(answer && answer->status == 200);
  const auto schedule = nlohmann::json::parse(answer->body)["schedule"];
  EXPECT_EQ(schedule["cron"], "*/2 * * * * *");
  int h = 0, m = 0, s = 0;
  ASSERT_EQ(std::sscanf(schedule["next_run_at"].get<std::string>().c_str(), "%*d-%*d-%*dT%d:%d:%dZ",
                        &h, &m, &s),
            3)
      << schedule.dump();
  EXPECT_EQ(s % 2, 0) << schedule.dump();
}

}  // namespace
}  // namespace playlake
