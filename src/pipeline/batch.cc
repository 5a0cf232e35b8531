#include "pipeline/batch.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "common/atomic_file.h"
#include "common/file_lock.h"
#include "common/hash.h"
#include "lake/lake.h"
#include "pipeline/alert.h"
#include "pipeline/gold_build.h"
#include "pipeline/publish_gold.h"
#include "s3/open_lake.h"
#include "silver/ingest.h"
#include "spotify/project_pull.h"

namespace playlake::pipeline {
namespace {

using nlohmann::json;

// Logs each ingested file's outcome (at debug level; the step logs the totals).
class LogProgress : public silver::Progress {
 public:
  void OnFile(const silver::FileReport& file) override {
    spdlog::debug("ingest {}: {}", file.path, silver::OutcomeName(file.outcome));
  }
};

// "; drift: 2 unknown fields (new: video_id), 1 unknown value" for the run
// record, or nothing; new fields are also logged as warnings.
std::string DriftSummary(const silver::IngestReport& report) {
  std::int64_t fields = 0, values = 0;
  std::vector<std::string> new_fields;
  for (const auto& file : report.files) {
    fields += static_cast<std::int64_t>(file.stats.drift.unknown_fields.size());
    values += static_cast<std::int64_t>(file.stats.drift.unknown_values.size());
    for (const auto& field : file.new_fields) {
      spdlog::warn(
          "{}: field '{}' never seen before in source '{}' (kept in bronze, not read "
          "into silver)",
          file.path, field, file.source);
      new_fields.push_back(field);
    }
  }
  if (fields == 0 && values == 0) return "";
  return fmt::format(
      "; drift: {} unknown field(s){}, {} unknown value(s)", fields,
      new_fields.empty() ? "" : fmt::format(" (new: {})", fmt::join(new_fields, ", ")), values);
}

// Writes `value` to `file` whole or not at all.
Status WriteJson(const std::filesystem::path& file, const json& value) {
  return WriteFileAtomically(file, value.dump(2) + '\n');
}

// Inode, size and modification time: changes whenever the file is rewritten or replaced.
std::string FileIdentity(const std::filesystem::path& file) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return "missing";
  return fmt::format("{}:{}:{}.{}", st.st_ino, st.st_size, st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

// What a build of gold is made from: the committed silver batches (each
// immutable), the model project's files and the project file (their contents),
// and this binary (its FileIdentity: a rebuilt binary counts as changed).
Result<std::string> BuildInputs(const config::ProjectConfig& project, const lake::Lake& lake) {
  auto batches = lake.BatchIds("silver");
  if (!batches) return tl::unexpected(batches.error());
  Checksum sum;
  for (const auto& b : *batches) sum.Update(b + '\n');
  std::vector<std::filesystem::path> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(project.models, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) {
    return Fail(ErrorCode::kIo,
                fmt::format("cannot list {}: {}", project.models.string(), ec.message()));
  }
  std::sort(files.begin(), files.end());
  files.push_back(project.root / "playlake.yml");
  for (const auto& f : files) {
    sum.Update(f.string() + '\0');
    std::ifstream in(f, std::ios::binary);
    sum.Update(std::string(std::istreambuf_iterator<char>(in), {}));
  }
  sum.Update(FileIdentity("/proc/self/exe"));
  return sum.Hex();
}

// The last successful build, as target/last_build.json records it.
struct LastBuild {
  std::string inputs;     // BuildInputs
  std::string warehouse;  // FileIdentity of the warehouse it left
  std::string built_at;
};

std::optional<LastBuild> ReadLastBuild(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  const json j = json::parse(in, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  return LastBuild{j.value("inputs", ""), j.value("warehouse", ""), j.value("built_at", "")};
}

Status WriteLastBuild(const std::filesystem::path& file, const LastBuild& build) {
  return WriteJson(
      file,
      {{"inputs", build.inputs}, {"warehouse", build.warehouse}, {"built_at", build.built_at}});
}

// "; failed: test.x (3 failing rows), model.y (error text)" naming what did
// not pass, for the run's summary and record.
std::string FailedNodes(const models::RunResults& results) {
  std::string names;
  for (const auto& node : results.results) {
    if (node.status != models::NodeStatus::kFail && node.status != models::NodeStatus::kError) {
      continue;
    }
    names += fmt::format("{}{} ({})", names.empty() ? "; failed: " : ", ", node.unique_id,
                         node.message.substr(0, node.message.find('\n')));
  }
  return names;
}

}  // namespace

Result<RunRecord> RunBatch(const config::ProjectConfig& project, const BatchOptions& options) {
  const auto target = project.root / "target";
  Pipeline pipeline;

  auto ingest = [&project]() -> Result<StepOutcome> {
    auto lake = s3::OpenLake(project, {});
    if (!lake) return tl::unexpected(lake.error());
    LogProgress progress;
    auto report = silver::IngestConfiguredSources(**lake, project, progress);
    if (!report) return tl::unexpected(report.error());
    std::int64_t rows = 0, committed = 0, failed = 0;
    const silver::FileReport* first_failed = nullptr;
    for (const auto& file : report->files) {
      rows += file.stats.records;
      committed += file.outcome == silver::Outcome::kCommitted;
      if (file.outcome != silver::Outcome::kFailed) continue;
      if (!first_failed) first_failed = &file;
      ++failed;
    }
    if (first_failed) {
      spdlog::warn("{}", report->ToText());
      // The cause is the first refused file's, as `playlake ingest` reports it.
      return Fail(first_failed->error_code,
                  fmt::format("{} of {} input files were refused; the first, {}: {}", failed,
                              report->files.size(), first_failed->path, first_failed->error));
    }
    // The Spotify Web API sources (docs/spotify.md): their summaries carry
    // their warnings ("plays between … and … may be missing") into the run.
    auto pulls = spotify::PullProjectSources(**lake, project);
    if (!pulls) return tl::unexpected(pulls.error());
    std::string pulled;
    for (const auto& pull : *pulls) {
      for (const auto& [table, count] : pull.rows) rows += count;
      pulled += "; " + pull.Summary();
    }
    return StepOutcome{rows, fmt::format("{} files, {} new, {} records{}{}", report->files.size(),
                                         committed, rows, DriftSummary(*report), pulled)};
  };

  auto build = [&project, &options, &target]() -> Result<StepOutcome> {
    auto lake = s3::OpenLake(project, {});
    if (!lake) return tl::unexpected(lake.error());
    // A scheduled run that found nothing new has nothing to build: the same
    // inputs give the same gold, and the data tests passed on it.
    auto inputs = BuildInputs(project, **lake);
    if (!inputs) return tl::unexpected(inputs.error());
    const auto last_build_file = target / "last_build.json";
    const auto last = ReadLastBuild(last_build_file);
    if (!options.full_refresh && last && last->inputs == *inputs &&
        last->warehouse == FileIdentity(project.warehouse)) {
      return StepOutcome{
          0, fmt::format("gold is up to date: nothing new since its build at {}", last->built_at)};
    }
    std::error_code ec;
    std::filesystem::remove(last_build_file, ec);
    const std::string started_at = Rfc3339Now();
    GoldBuildOptions build_options;
    build_options.full_refresh = options.full_refresh;
    build_options.process_ends_after = options.process_ends_after;
    build_options.progress = [](const std::string& line) { spdlog::debug("{}", line); };
    build_options.notice = [](const std::string& line) { spdlog::info("{}", line); };
    auto gold = BuildGold(project, build_options);
    if (!gold) return tl::unexpected(gold.error());
    const models::RunResults& results = gold->results;
    using models::NodeStatus;
    const std::string detail =
        fmt::format("{} built, {} tests passed, {} warned, {} failed, {} errors, {} skipped",
                    results.Count(NodeStatus::kSuccess), results.Count(NodeStatus::kPass),
                    results.Count(NodeStatus::kWarn), results.Count(NodeStatus::kFail),
                    results.Count(NodeStatus::kError), results.Count(NodeStatus::kSkipped));
    if (results.HasErrors() || results.HasTestFailures()) {
      return Fail(results.FailureCode(), detail + FailedNodes(results));
    }
    if (!gold->dashboard) {
      return Fail(gold->dashboard.error().code,
                  fmt::format("{}; the dashboard cannot read the new gold: {}", detail,
                              gold->dashboard.error().message));
    }
    const LastBuild built{*inputs, FileIdentity(project.warehouse), started_at};
    if (auto s = WriteLastBuild(last_build_file, built); !s) return tl::unexpected(s.error());
    std::int64_t rows = 0;
    for (const auto& node : results.results) rows += std::max<std::int64_t>(0, node.rows_affected);
    return StepOutcome{rows, detail};
  };

  if (auto s = pipeline.Add({"ingest", {}, ingest}); !s) return tl::unexpected(s.error());
  if (auto s = pipeline.Add({"build", {"ingest"}, build}); !s) return tl::unexpected(s.error());
  if (!project.clickhouse.url.empty()) {
    const auto publish = [&project, &target] { return PublishGold(project, target); };
    if (auto s = pipeline.Add({"publish", {"build"}, publish}); !s)
      return tl::unexpected(s.error());
  }
  // Runs of a project take turns, as a scheduler's max-one-active-run: one
  // started while another is going waits, then finds what is still new.
  std::error_code ec;
  std::filesystem::create_directories(target, ec);
  if (ec) {
    return Fail(ErrorCode::kIo, fmt::format("cannot create {}: {}", target.string(), ec.message()));
  }
  auto turn = FileLock::Acquire(target / ".run.lock", [&](const std::string& holder) {
    spdlog::info("another run of {} ({}) is going; waiting for it to finish", project.root.string(),
                 holder);
  });
  if (!turn) return tl::unexpected(turn.error());
  const auto history = target / "runs.jsonl";
  const std::string previous_status = LastRunStatus(history);
  auto run = pipeline.Run(history);
  if (!run || project.alerts.webhook.empty()) return run;
  // An alert that cannot be delivered does not change the run's outcome.
  if (const auto alert = AlertFor(project.name, *run, previous_status)) {
    if (auto sent = PostWebhook(project.alerts.webhook, *alert); sent) {
      spdlog::info("alert sent: {}", (*alert)["event"].get<std::string>());
    } else {
      spdlog::warn("{}", sent.error().message);
    }
  }
  return run;
}

}  // namespace playlake::pipeline
