#include "pipeline/scheduler.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "common/file_lock.h"
#include "common/rfc3339.h"
#include "pipeline/alert.h"
#include "pipeline/run.h"

extern char** environ;

namespace playlake::pipeline {
namespace {

using Clock = std::chrono::system_clock;

// Starts `args` with the default signal mask and dispositions (the process
// that spawns it, `playlake serve`, blocks SIGINT and SIGTERM in every
// thread) and only stdin, stdout and stderr open: the server's sockets and
// files must not live on in a run (a restarted server could not bind its
// port while the run goes on).
Result<pid_t> Spawn(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none, defaults;
  sigemptyset(&none);
  sigemptyset(&defaults);
  for (int signal : {SIGINT, SIGTERM, SIGPIPE}) sigaddset(&defaults, signal);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addclosefrom_np(&files, 3);
  pid_t pid = 0;
  const int error = posix_spawn(&pid, argv[0], &files, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    return Fail(ErrorCode::kIo, fmt::format("cannot start {}: {}", args[0], std::strerror(error)));
  }
  return pid;
}

}  // namespace

Scheduler::Scheduler(config::ProjectConfig project, std::string program, std::string log_level)
    : project_(std::move(project)),
      program_(std::move(program)),
      log_level_(std::move(log_level)) {}

Result<int> Scheduler::Run() {
  const auto target = project_.root / "target";
  std::error_code ec;
  std::filesystem::create_directories(target, ec);
  // One scheduler per project runs the schedule; the others stand by.
  std::unique_ptr<FileLock> turn;
  bool standing_by = false;
  for (std::string holder; !turn;) {
    auto lock = FileLock::TryAcquire(target / ".scheduler.lock", holder);
    if (!lock) return tl::unexpected(lock.error());
    turn = std::move(*lock);
    if (turn) break;
    if (!standing_by) {
      spdlog::warn(
          "another scheduler ({}) runs the schedule of {}: standing by, to take over if it stops",
          holder, project_.root.string());
      standing_by = true;
    }
    std::unique_lock lock_guard(mutex_);
    if (wake_.wait_for(lock_guard, std::chrono::seconds(1), [this] { return stopping_; })) return 0;
  }
  if (standing_by) spdlog::info("the other scheduler stopped: taking over the schedule");
  const config::Cron& cron = *project_.schedule.cron;
  int runs = 0;
  auto now = std::chrono::floor<std::chrono::seconds>(Clock::now());
  while (true) {
    const auto next = cron.Next(now);
    spdlog::info("next run of {} at {} (schedule '{}', UTC)", project_.name, FormatRfc3339(next),
                 cron.expression());
    {
      std::unique_lock lock(mutex_);
      if (wake_.wait_until(lock, next, [this] { return stopping_; })) return runs;
    }
    RunOnce();
    ++runs;
    now = std::chrono::floor<std::chrono::seconds>(Clock::now());
    int skipped = 0;
    for (auto t = cron.Next(next); t <= now && skipped < 1000; t = cron.Next(t)) ++skipped;
    if (skipped > 0) {
      spdlog::warn("{} scheduled time{} passed while the run was going: skipped, not made up for",
                   skipped, skipped == 1 ? "" : "s");
    }
  }
}

void Scheduler::Stop() {
  std::lock_guard lock(mutex_);
  stopping_ = true;
  if (child_ > 0) ::kill(child_, SIGTERM);
  wake_.notify_all();
}

void Scheduler::RunOnce() {
  const auto start = std::chrono::steady_clock::now();
  RunRecord killed{NewRunId(), Rfc3339Now(), "", "failed", 0, {}, ""};
  Result<pid_t> pid = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    pid = Spawn({program_, "--log-level", log_level_, "run", "--project", project_.root.string()});
    if (pid) child_ = *pid;
  }
  bool stopped = false;
  if (pid) {
    spdlog::info("scheduled run started (process {})", *pid);
    int status = 0;
    while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard lock(mutex_);
      child_ = 0;
      stopped = stopping_;
    }
    if (WIFEXITED(status)) {
      // The run recorded itself and sent its alerts.
      spdlog::info("scheduled run ended with exit code {}", WEXITSTATUS(status));
      return;
    }
    killed.error = stopped ? "stopped: the scheduler was stopped while the run was going"
                           : fmt::format("the run's process was killed by signal {} ({})",
                                         WTERMSIG(status), strsignal(WTERMSIG(status)));
  } else {
    killed.error = pid.error().message;
  }
  spdlog::error("scheduled run {}: {}", killed.run_id, killed.error);
  killed.finished_at = Rfc3339Now();
  killed.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // The run did not record itself: its record follows the one before it.
  const auto history = project_.root / "target" / "runs.jsonl";
  const std::string previous_status = LastRunStatus(history);
  if (auto s = AppendRun(history, killed); !s) spdlog::error("{}", s.error().message);
  if (stopped || project_.alerts.webhook.empty()) return;
  if (auto sent =
          PostWebhook(project_.alerts.webhook, *AlertFor(project_.name, killed, previous_status));
      !sent) {
    spdlog::warn("{}", sent.error().message);
  }
}

}  // namespace playlake::pipeline
