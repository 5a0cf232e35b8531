// playlake ingest: land files in bronze and build silver (src/silver/ingest.h).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "common/input_formats.h"
#include "config/project.h"
#include "lake/faults.h"
#include "lake/lake.h"
#include "silver/ingest.h"
#include "s3/open_lake.h"

namespace playlake::cli {
namespace {

struct IngestFlags {
  std::vector<std::string> paths;
  std::string format = "auto";
  std::string project = ".";
  std::string lake;
  std::string user;
  std::string source;
  int threads = 0;
  std::string memory_limit;
  bool json = false;
  std::vector<std::string> csv_map;  // FIELD=COLUMN
  std::string ts_format;
  bool allow_quarantined = false;
  std::string crash_at;
};

// --csv-map and --ts-format as a mapping; Error{kInvalidArgument} names the flag.
Result<sources::CsvMapping> CsvMappingOf(const IngestFlags& flags) {
  sources::CsvMapping mapping;
  for (const std::string& entry : flags.csv_map) {
    const auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == entry.size()) {
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("--csv-map '{}': expected FIELD=COLUMN, e.g. user_id=Listener", entry));
    }
    mapping.columns.emplace_back(entry.substr(0, eq), entry.substr(eq + 1));
  }
  mapping.timestamp_format = flags.ts_format;
  if (auto s = mapping.Validate(); !s) {
    const std::string& message = s.error().message;
    const bool ts = message.starts_with("timestamp_format");
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: {}", ts ? "--ts-format" : "--csv-map",
                            ts ? message.substr(message.find(':') + 2) : message));
  }
  return mapping;
}

// Progress lines on stderr, at most one per second and only for files that
// take a while, so small ingests stay quiet.
class StderrProgress final : public silver::Progress {
 public:
  void OnBytes(const std::string& path, std::uint64_t done, std::uint64_t total) override {
    const auto now = std::chrono::steady_clock::now();
    if (path != path_) {
      path_ = path;
      started_ = now;
      last_ = now;
      return;
    }
    if (now - last_ < std::chrono::seconds(1) || total < (64u << 20)) return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - started_).count();
    std::fprintf(stderr, "ingest: %s: %.0f/%.0f MB (%.0f%%), %.0f MB/s\n", path.c_str(), done / 1e6,
                 total / 1e6, 100.0 * static_cast<double>(done) / static_cast<double>(total),
                 seconds > 0 ? done / 1e6 / seconds : 0.0);
  }
  void OnFile(const silver::FileReport& file) override {
    spdlog::debug("{}: {} ({})", file.path, silver::OutcomeName(file.outcome), file.format);
  }

 private:
  std::string path_;
  std::chrono::steady_clock::time_point started_, last_;
};

Status RunIngest(const IngestFlags& flags) {
  std::optional<config::ProjectConfig> project;
  std::filesystem::path lake_root = flags.lake;
  auto csv = CsvMappingOf(flags);
  if (!csv) return tl::unexpected(csv.error());
  if (!csv->empty() && flags.paths.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "--csv-map and --ts-format apply to the PATHs given; for the sources of "
                "playlake.yml set `csv:` on the source");
  }
  if (lake_root.empty() || flags.paths.empty()) {
    auto loaded = config::LoadProject(flags.project);
    if (!loaded) return tl::unexpected(loaded.error());
    project = std::move(*loaded);
    if (lake_root.empty()) lake_root = project->lake;
  }
  std::unique_ptr<lake::CrashAt> crash;
  lake::LakeOptions options;
  if (!flags.crash_at.empty()) {
    const auto colon = flags.crash_at.find(':');
    const std::string step = flags.crash_at.substr(0, colon);
    int occurrence = 1;
    if (colon != std::string::npos) {
      const std::string n = flags.crash_at.substr(colon + 1);
      if (std::from_chars(n.data(), n.data() + n.size(), occurrence).ec != std::errc() || occurrence < 1) {
        return Fail(ErrorCode::kInvalidArgument, "--crash-at STEP[:N]: N must be a positive integer");
      }
    }
    crash = std::make_unique<lake::CrashAt>(step, occurrence);
    options.faults = crash.get();
  }
  auto lake = s3::OpenLake(lake_root, project ? project->s3 : config::S3LakeConfig(),
                           std::move(options));
  if (!lake) return tl::unexpected(lake.error());
  StderrProgress progress;
  Result<silver::IngestReport> report;
  if (flags.paths.empty()) {
    report = silver::IngestConfiguredSources(**lake, *project, progress);
  } else {
    silver::IngestRequest request;
    request.paths = flags.paths;
    if (flags.format != "auto") request.format = sources::ParseFormat(flags.format);
    request.user = flags.user;
    request.csv = std::move(*csv);
    request.source = flags.source;
    if (project) request.keep_ip_addresses = project->privacy.bronze_ip_addresses == "keep";
    request.threads = flags.threads > 0 ? flags.threads : (project ? project->threads : 0);
    request.memory_limit = flags.memory_limit;
    report = silver::Ingest(**lake, request, progress);
  }
  if (!report) return tl::unexpected(report.error());
  std::fputs(flags.json ? report->ToJson().c_str() : report->ToText().c_str(), stdout);
  std::fflush(stdout);
  int failed = 0;
  const silver::FileReport* first = nullptr;
  for (const auto& f : report->files) {
    if (f.outcome != silver::Outcome::kFailed) continue;
    if (!first) first = &f;
    ++failed;
  }
  if (first) {
    return Fail(first->error_code,
                fmt::format("{} file(s) failed; the first: {}", failed, first->error));
  }
  int whole = 0;
  for (const auto& f : report->files) {
    if (f.outcome != silver::Outcome::kQuarantinedWhole) continue;
    if (!first) first = &f;
    ++whole;
  }
  if (first && !flags.allow_quarantined) {
    return Fail(ErrorCode::kData,
                fmt::format("{} file(s) quarantined whole, none of their records read; the first: "
                            "{}: {}. Fix the file, or ingest it again saying how to read it "
                            "(--format, --csv-map); --allow-quarantined-files accepts this",
                            whole, first->path, first->error));
  }
  return {};
}

}  // namespace

void AddIngestCommand(CLI::App& app, CommandBody& selected) {
  auto flags = std::make_shared<IngestFlags>();
  CLI::App* cmd = app.add_subcommand(
      "ingest",
      "Land files in the lake's bronze layer unchanged and build silver (typed, cleaned,\n"
      "deduplicated Parquet; rejected records go to quarantine). PATHs are files, folders\n"
      "(searched recursively for .json/.jsonl/.ndjson/.csv) or globs. Without PATH, ingests\n"
      "the sources of playlake.yml. Re-ingesting the same input changes nothing, except that\n"
      "a file quarantined whole is read again when --format or --csv-map says how. IP\n"
      "addresses of Spotify exports are masked in bronze (privacy.bronze_ip_addresses: keep\n"
      "keeps them); a Spotify export's files that hold no listening (SearchQueries.json, ...)\n"
      "are skipped.");
  cmd->add_option("path", flags->paths, "Files, folders or globs to ingest");
  cmd->add_option("--format", flags->format, "Input format (auto detects it per file)")
      ->check(CLI::IsMember(InputFormatChoices(true)))
      ->capture_default_str();
  cmd->add_option("--project", flags->project, "Project folder with playlake.yml")
      ->capture_default_str();
  cmd->add_option("--lake", flags->lake,
                  "Lake folder (or s3://bucket/prefix) to use without a project (quick use; "
                  "needs PATHs)");
  cmd->add_option("--user", flags->user,
                  "Listener of Spotify exports and CSVs (Last.fm) that carry no user");
  cmd->add_option("--csv-map", flags->csv_map,
                  "FIELD=COLUMN: the CSV column holding a play-event field (repeat for each; "
                  "see docs/silver.md, CSV input)")
      ->allow_extra_args(false);
  cmd->add_option("--ts-format", flags->ts_format,
                  "How the CSV's ts column is written: auto, epoch_s, epoch_ms, rfc3339, or "
                  "\"dd Mon yyyy, HH:MM\"");
  cmd->add_flag("--allow-quarantined-files", flags->allow_quarantined,
                "Exit 0 even when a file is quarantined whole (format not detected, CSV header "
                "refused)");
  cmd->add_option("--source", flags->source,
                  "Bronze source folder name (default: the format's name)");
  cmd->add_option("--threads", flags->threads, "Worker threads (0: project setting or all cores)");
  cmd->add_option("--memory-limit", flags->memory_limit, "DuckDB memory limit for silver, e.g. 1GB");
  cmd->add_flag("--json", flags->json, "Print the summary as JSON on stdout");
  // Test hook (docs/lake-format.md): kill -9 ourselves at a named commit step.
  cmd->add_option("--crash-at", flags->crash_at, "")->group("");
  cmd->callback([flags, &selected] { selected = [flags] { return RunIngest(*flags); }; });
}

}  // namespace playlake::cli
