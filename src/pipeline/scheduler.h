// Scheduler: runs a project's batch pipeline at the times of its cron
// expression (schedule.cron in playlake.yml), one run at a time, each in a
// child process: `playlake run --project DIR`.
//
// Why a child process: whatever a run does (a crash, running out of memory)
// the scheduler, and the dashboard serving beside it, go on, and a run's
// memory is given back when it ends. The child records its run in
// target/runs.jsonl and sends its alerts itself, as a `playlake run` started
// from the system's cron would; a child killed before it could is recorded
// here, as a failed run, and alerted.
//
// A time that comes while a run is still going is skipped, not made up for
// later (Airflow's one active run, no catch-up), and the log says how many
// were skipped. Runs started by hand take turns with scheduled ones
// (target/.run.lock). Of several schedulers of one project (`playlake serve`
// and `playlake schedule`, or two machines sharing the folder), one runs the
// schedule and the others stand by.
//
// Thread safety: Run blocks its thread until Stop is called from another one.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "config/project.h"

namespace playlake::pipeline {

class Scheduler {
 public:
  // `program` is the playlake binary a run executes (`/proc/self/exe` from
  // the command line); `log_level` is passed on to it.
  // REQUIRES: project.schedule.cron is set.
  Scheduler(config::ProjectConfig project, std::string program, std::string log_level);

  // Runs the pipeline at every scheduled time until Stop. Returns how many
  // runs it started. While another scheduler runs the project's schedule
  // (target/.scheduler.lock), it stands by and takes over if that one stops.
  // Errors: kIo when the lock file cannot be made.
  Result<int> Run();

  // Makes Run return: at once when it is waiting; when a run is going, that
  // run is sent SIGTERM (runs are safe to kill) and waited for.
  void Stop();

 private:
  // Starts one run and waits for it. Records and alerts a run that was killed.
  void RunOnce();

  const config::ProjectConfig project_;
  const std::string program_;
  const std::string log_level_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  pid_t child_ = 0;  // the run going, 0 when none
};

}  // namespace playlake::pipeline
