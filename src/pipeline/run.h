// Runs a pipeline: named steps with dependencies, retried with backoff, with
// progress on stderr and a record of every run appended to the project's
// target/runs.jsonl (what the dashboard's pipeline page shows).
//
// A step returns the rows it produced (for the run record) or an error. A
// failed step (after its retries) fails the run, and the steps that depend on
// it are recorded as skipped. Steps run one at a time in dependency order;
// parallelism lives inside steps (ingest, the model runner).
//
// Thread safety: a Pipeline is used by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"

namespace playlake::pipeline {

struct StepOutcome {
  std::int64_t rows = 0;  // rows the step produced, for the record
  std::string detail;     // one line for the run record and the log
};

struct Step {
  std::string name;
  std::vector<std::string> depends_on;
  std::function<Result<StepOutcome>()> body;
  int retries = 0;                         // extra attempts after a failure
  std::chrono::milliseconds backoff{500};  // doubled after each attempt
};

struct StepRecord {
  std::string name;
  std::string status;  // success, failed, skipped
  int attempts = 0;
  std::int64_t rows = 0;
  double seconds = 0;
  std::string detail;
};

struct RunRecord {
  std::string run_id;
  std::string started_at;  // RFC 3339 UTC
  std::string finished_at;
  std::string status;  // success or failed
  double duration_s = 0;
  std::vector<StepRecord> steps;
  std::string error;  // the first failure, if any
  // What caused the first failure, as its step classified it (kInternal when
  // the run succeeded): `playlake run` exits with ExitCodeFor(error_code).
  ErrorCode error_code = ErrorCode::kInternal;
};

nlohmann::json ToJson(const RunRecord& run);

// The current time as RFC 3339 UTC, to the second.
std::string Rfc3339Now();

// A new run id: the start time and four random hex digits.
std::string NewRunId();

// Appends `run` as one line to `history_file` (target/runs.jsonl), creating it
// and its folder if missing. Errors: kIo.
Status AppendRun(const std::filesystem::path& history_file, const RunRecord& run);

class Pipeline {
 public:
  // REQUIRES: step names are unique and every dependency names an earlier step.
  Status Add(Step step);

  // Runs every step; appends the record to `history_file` (created if
  // missing) when it is not empty. Returns the record whatever the outcome;
  // Error only when the history cannot be written.
  Result<RunRecord> Run(const std::filesystem::path& history_file);

 private:
  std::vector<Step> steps_;
};

}  // namespace playlake::pipeline
