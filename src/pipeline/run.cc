#include "pipeline/run.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "common/rfc3339.h"

namespace playlake::pipeline {

std::string Rfc3339Now() { return FormatRfc3339(std::chrono::system_clock::now()); }

std::string NewRunId() {
  std::random_device random;
  return fmt::format("{:%Y%m%dT%H%M%S}-{:04x}",
                     std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()),
                     random() & 0xffff);
}

Status AppendRun(const std::filesystem::path& history_file, const RunRecord& run) {
  std::error_code ec;
  std::filesystem::create_directories(history_file.parent_path(), ec);
  std::ofstream out(history_file, std::ios::app);
  out << ToJson(run).dump() << '\n';
  out.flush();
  if (!out) {
    return Fail(ErrorCode::kIo,
                fmt::format("cannot append the run record to {}", history_file.string()));
  }
  return {};
}

nlohmann::json ToJson(const RunRecord& run) {
  nlohmann::json steps = nlohmann::json::array();
  std::string summary;
  for (const auto& s : run.steps) {
    steps.push_back({{"name", s.name},
                     {"status", s.status},
                     {"attempts", s.attempts},
                     {"rows", s.rows},
                     {"seconds", s.seconds},
                     {"detail", s.detail}});
    summary += (summary.empty() ? "" : ", ") + fmt::format("{} {:.1f}s", s.name, s.seconds);
  }
  return {{"run_id", run.run_id},
          {"started_at", run.started_at},
          {"finished_at", run.finished_at},
          {"status", run.status},
          {"duration_s", run.duration_s},
          {"steps", summary},
          {"step_details", steps},
          {"error", run.error},
          {"cause", run.status == "success" ? "" : ErrorCodeName(run.error_code)}};
}

Status Pipeline::Add(Step step) {
  for (const auto& existing : steps_) {
    if (existing.name == step.name) {
      return Fail(ErrorCode::kInternal, fmt::format("pipeline step '{}' added twice", step.name));
    }
  }
  for (const auto& dependency : step.depends_on) {
    const bool known = std::any_of(steps_.begin(), steps_.end(),
                                   [&](const Step& s) { return s.name == dependency; });
    if (!known) {
      return Fail(
          ErrorCode::kInternal,
          fmt::format("pipeline step '{}' depends on unknown step '{}'", step.name, dependency));
    }
  }
  steps_.push_back(std::move(step));
  return {};
}

Result<RunRecord> Pipeline::Run(const std::filesystem::path& history_file) {
  using Clock = std::chrono::steady_clock;
  const auto wall_start = std::chrono::system_clock::now();
  const auto start = Clock::now();
  RunRecord run;
  run.run_id = NewRunId();
  run.started_at = FormatRfc3339(wall_start);
  std::set<std::string> failed;  // failed or skipped steps

  for (std::size_t i = 0; i < steps_.size(); ++i) {
    const Step& step = steps_[i];
    StepRecord record{step.name, "success", 0, 0, 0, ""};
    const auto blocked = std::find_if(step.depends_on.begin(), step.depends_on.end(),
                                      [&](const std::string& d) { return failed.contains(d); });
    if (blocked != step.depends_on.end()) {
      record.status = "skipped";
      record.detail = fmt::format("skipped: {} did not succeed", *blocked);
      failed.insert(step.name);
      spdlog::warn("[{}/{}] {} skipped ({} did not succeed)", i + 1, steps_.size(), step.name,
                   *blocked);
      run.steps.push_back(std::move(record));
      continue;
    }
    spdlog::info("[{}/{}] {} ...", i + 1, steps_.size(), step.name);
    const auto step_start = Clock::now();
    auto backoff = step.backoff;
    Result<StepOutcome> outcome = Fail(ErrorCode::kInternal, "not run");
    for (int attempt = 0; attempt <= step.retries; ++attempt) {
      record.attempts = attempt + 1;
      outcome = step.body();
      if (outcome) break;
      if (attempt < step.retries) {
        spdlog::warn("{} failed (attempt {} of {}): {}; retrying in {} ms", step.name, attempt + 1,
                     step.retries + 1, outcome.error().message, backoff.count());
        std::this_thread::sleep_for(backoff);
        backoff *= 2;
      }
    }
    record.seconds = std::chrono::duration<double>(Clock::now() - step_start).count();
    if (outcome) {
      record.rows = outcome->rows;
      record.detail = outcome->detail;
      spdlog::info("[{}/{}] {} OK in {:.2f}s{}", i + 1, steps_.size(), step.name, record.seconds,
                   record.detail.empty() ? "" : ": " + record.detail);
    } else {
      record.status = "failed";
      record.detail = outcome.error().message;
      failed.insert(step.name);
      if (run.error.empty()) {
        run.error = fmt::format("{}: {}", step.name, outcome.error().message);
        run.error_code = outcome.error().code;
      }
      spdlog::error("[{}/{}] {} FAILED after {:.2f}s: {}", i + 1, steps_.size(), step.name,
                    record.seconds, outcome.error().message);
    }
    run.steps.push_back(std::move(record));
  }

  run.status = failed.empty() ? "success" : "failed";
  run.finished_at = Rfc3339Now();
  run.duration_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (!history_file.empty()) {
    if (auto s = AppendRun(history_file, run); !s) return tl::unexpected(s.error());
  }
  return run;
}

}  // namespace playlake::pipeline
