// playlake schedule: the built-in scheduler in the foreground. (`playlake
// serve` runs the same scheduler beside the dashboard.)
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <csignal>
#include <thread>

#include "cli/command.h"
#include "common/rfc3339.h"
#include "pipeline/scheduler.h"

namespace playlake::cli {
namespace {

struct ScheduleFlags {
  std::string project = ".";
  std::string cron;
  int next = 0;
};

}  // namespace

std::unique_ptr<pipeline::Scheduler> NewScheduler(const config::ProjectConfig& project) {
  std::error_code ec;
  auto program = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) program = "playlake";
  const auto level = spdlog::level::to_string_view(spdlog::get_level());
  return std::make_unique<pipeline::Scheduler>(project, program.string(),
                                               std::string(level.data(), level.size()));
}

void AddScheduleCommand(CLI::App& app, CommandBody& selected) {
  auto* cmd = app.add_subcommand(
      "schedule",
      "Run the pipeline (as `playlake run`) at the times of schedule.cron in playlake.yml, in UTC, "
      "until Ctrl-C; a time that comes while a run is going is skipped. `playlake serve` does the "
      "same beside the dashboard");
  auto flags = std::make_shared<ScheduleFlags>();
  cmd->add_option("--project", flags->project, "Project folder (with playlake.yml)")
      ->capture_default_str();
  cmd->add_option("--cron", flags->cron,
                  "Cron expression instead of schedule.cron: 5 fields (minute hour day month "
                  "weekday), 6 with seconds first, or @hourly, @daily, @weekly, @monthly, @yearly");
  cmd->add_option("--next", flags->next, "Only print the next N times it would run, and exit")
      ->check(CLI::Range(1, 1000));
  cmd->callback([&selected, flags] {
    selected = [flags]() -> Status {
      auto project = config::LoadProject(flags->project);
      if (!project) return tl::unexpected(project.error());
      if (!flags->cron.empty()) {
        auto cron = config::Cron::Parse(flags->cron);
        if (!cron) return Fail(ErrorCode::kInvalidArgument, "--cron: " + cron.error().message);
        project->schedule.cron = std::move(*cron);
      }
      if (!project->schedule.cron) {
        return Fail(
            ErrorCode::kConfig,
            fmt::format("{}/playlake.yml has no schedule: add `schedule: {{cron: \"0 * * * *\"}}` "
                        "(every hour) or pass --cron",
                        project->root.string()));
      }
      if (flags->next > 0) {
        auto t = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        for (int i = 0; i < flags->next; ++i) {
          t = project->schedule.cron->Next(t);
          fmt::print("{}\n", FormatRfc3339(t));
        }
        return {};
      }
      sigset_t signals;
      sigemptyset(&signals);
      sigaddset(&signals, SIGINT);
      sigaddset(&signals, SIGTERM);
      pthread_sigmask(SIG_BLOCK, &signals, nullptr);
      auto scheduler = NewScheduler(*project);
      std::thread waiter([&] {
        int signal = 0;
        sigwait(&signals, &signal);
        spdlog::info("stopping on signal {}", signal);
        scheduler->Stop();
      });
      spdlog::info("scheduling {} (Ctrl-C to stop)", project->root.string());
      const auto runs = scheduler->Run();
      if (!runs) {
        // Nothing will stop the waiter: end the process's wait ourselves.
        ::kill(::getpid(), SIGTERM);
        waiter.join();
        return tl::unexpected(runs.error());
      }
      waiter.join();
      spdlog::info("scheduler stopped after {} run{}", *runs, *runs == 1 ? "" : "s");
      return {};
    };
  });
}

}  // namespace playlake::cli
