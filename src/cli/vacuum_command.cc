// playlake vacuum: remove what crashed or failed writers left in the lake.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "config/project.h"
#include "lake/lake.h"
#include "s3/open_lake.h"

namespace playlake::cli {
namespace {

struct VacuumFlags {
  std::string project = ".";
  std::string lake;
  std::string older_than = "1h";
};

// "90s", "30m", "1h", "2d" or a bare number of seconds.
Result<std::chrono::seconds> ParseDuration(const std::string& text) {
  std::int64_t n = -1;
  const char* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(text.data(), end, n);
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  const std::int64_t scale = unit.empty() || unit == "s" ? 1
                             : unit == "m"               ? 60
                             : unit == "h"               ? 3600
                             : unit == "d"               ? 86400
                                                         : -1;
  if (ec != std::errc() || n < 0 || scale < 0 || n > INT64_MAX / scale) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("--older-than '{}': expected a duration such as 90s, 30m, 1h or 2d", text));
  }
  return std::chrono::seconds(n * scale);
}

Status Vacuum(const VacuumFlags& flags) {
  auto older_than = ParseDuration(flags.older_than);
  if (!older_than) return tl::unexpected(older_than.error());
  std::filesystem::path root = flags.lake;
  config::S3LakeConfig s3;
  if (root.empty()) {
    auto project = config::LoadProject(flags.project);
    if (!project) return tl::unexpected(project.error());
    root = project->lake;
    s3 = project->s3;
  }
  if (!s3::IsS3Location(root) && !std::filesystem::is_directory(root / "_manifests")) {
    return Fail(ErrorCode::kNotFound, fmt::format("no lake at {}", root.string()));
  }
  auto lake = s3::OpenLake(root, s3, {});
  if (!lake) return tl::unexpected(lake.error());
  // Taking turns with ingests: none is writing while this looks.
  auto lock = (*lake)->storage().LockWriters([&](const std::string& holder) {
    spdlog::info("an ingest ({}) is writing to {}; waiting for it to finish", holder,
                 root.string());
  });
  if (!lock) return tl::unexpected(lock.error());
  auto left = (*lake)->RemoveLeftovers(*older_than);
  if (!left) return tl::unexpected(left.error());
  fmt::print("removed {} uncommitted file{} ({:.1f} MB) from {}", left->removed,
             left->removed == 1 ? "" : "s", left->removed_bytes / 1e6, root.string());
  if (left->kept > 0) {
    fmt::print("; kept {} younger than {}", left->kept, flags.older_than);
  }
  fmt::print("\n");
  if (left->aborted_uploads > 0) {
    fmt::print("aborted {} incomplete upload{} a crashed writer left\n", left->aborted_uploads,
               left->aborted_uploads == 1 ? "" : "s");
  }
  // Files a compaction replaced (playlake compact), once it is old enough.
  auto replaced = (*lake)->RemoveReplaced(*older_than);
  if (!replaced) return tl::unexpected(replaced.error());
  if (replaced->removed > 0 || replaced->kept > 0) {
    fmt::print("removed {} file{} replaced by compaction ({:.1f} MB)", replaced->removed,
               replaced->removed == 1 ? "" : "s", replaced->removed_bytes / 1e6);
    if (replaced->kept > 0) {
      fmt::print("; kept {} replaced less than {} ago", replaced->kept, flags.older_than);
    }
    fmt::print("\n");
  }
  std::fflush(stdout);
  return {};
}

}  // namespace

void AddVacuumCommand(CLI::App& app, CommandBody& selected) {
  auto flags = std::make_shared<VacuumFlags>();
  CLI::App* cmd = app.add_subcommand(
      "vacuum",
      "Remove what crashed or failed writers left in the lake: data files no manifest names,\n"
      "temporary files and (on S3) incomplete multipart uploads, last changed longer ago than\n"
      "--older-than; and the small files a compaction replaced longer ago than that.\n"
      "Committed data is never touched. Waits for a running ingest to finish.");
  cmd->add_option("--project", flags->project, "Project folder with playlake.yml")
      ->capture_default_str();
  cmd->add_option("--lake", flags->lake, "Lake folder (or s3://bucket/prefix) to clean without a project");
  cmd->add_option("--older-than", flags->older_than,
                  "Grace period: leave files changed more recently (90s, 30m, 1h, 2d; 0: none)")
      ->capture_default_str();
  cmd->callback([flags, &selected] { selected = [flags] { return Vacuum(*flags); }; });
}

}  // namespace playlake::cli
