// playlake compact: merge small silver files into large ones, once
// (src/stream/compactor.h, docs/streaming.md "Small files").
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>

#include "cli/command.h"
#include "config/project.h"
#include "lake/faults.h"
#include "lake/lake.h"
#include "stream/compactor.h"
#include "s3/open_lake.h"

namespace playlake::cli {
namespace {

struct CompactFlags {
  std::string project = ".";
  std::string source;
  std::int64_t target_bytes = 0;  // 0: the Kafka source's setting, else the default
  int min_files = 0;              // 0: the same
  int threads = 1;
  std::string crash_at;  // test hook: a named step of a compaction
  int crash_occurrence = 1;
};

// The Kafka source's compaction settings, when the project has one (named
// `name`, or the first), else the defaults; flags override them.
stream::CompactOptions OptionsFor(const config::ProjectConfig& project, const CompactFlags& flags) {
  stream::CompactOptions options;
  for (const auto& s : project.sources) {
    if (!s.kafka || (!flags.source.empty() && s.name != flags.source)) continue;
    if (s.kafka->compact_target_bytes > 0) {
      options.target_bytes = static_cast<std::uint64_t>(s.kafka->compact_target_bytes);
    }
    options.min_files = s.kafka->compact_min_files;
    break;
  }
  if (flags.target_bytes > 0) options.target_bytes = static_cast<std::uint64_t>(flags.target_bytes);
  if (flags.min_files > 0) options.min_files = flags.min_files;
  options.threads = flags.threads;
  return options;
}

Status RunCompact(const CompactFlags& flags) {
  auto project = config::LoadProject(flags.project);
  if (!project) return tl::unexpected(project.error());
  std::unique_ptr<lake::CrashAt> crash;
  lake::LakeOptions lake_options;
  if (!flags.crash_at.empty()) {
    crash = std::make_unique<lake::CrashAt>(flags.crash_at, flags.crash_occurrence);
    lake_options.faults = crash.get();
  }
  auto lake = s3::OpenLake(*project, std::move(lake_options));
  if (!lake) return tl::unexpected(lake.error());
  const stream::CompactOptions options = OptionsFor(*project, flags);
  spdlog::info("compacting the silver files of {} under {:.1f} MB into files of about {:.1f} MB",
               project->lake.string(), options.target_bytes / 4 / 1e6, options.target_bytes / 1e6);
  stream::Compactor compactor(**lake, options);
  auto summary = compactor.Run([](const stream::PartitionResult& p) {
    if (!p.committed) {
      spdlog::info("{}: already compacted by another writer, skipped", p.folder);
      return;
    }
    spdlog::info("{}: {} files ({:.1f} MB) → {} ({:.1f} MB), {} rows in {:.2f} s", p.folder,
                 p.files_before, p.bytes_before / 1e6, p.files_after, p.bytes_after / 1e6, p.rows,
                 p.seconds);
  });
  if (!summary) return tl::unexpected(summary.error());
  if (summary->partitions == 0) {
    fmt::print("nothing to compact: no partition holds {} or more small files\n",
               options.min_files);
  } else {
    fmt::print(
        "compacted {} partition{}: {} files ({:.1f} MB) → {} files ({:.1f} MB), {} rows in {:.2f} "
        "s\n",
        summary->partitions, summary->partitions == 1 ? "" : "s", summary->files_before,
        summary->bytes_before / 1e6, summary->files_after, summary->bytes_after / 1e6,
        summary->rows, summary->seconds);
  }
  std::fflush(stdout);
  return {};
}

}  // namespace

void AddCompactCommand(CLI::App& app, CommandBody& selected) {
  auto* cmd = app.add_subcommand(
      "compact",
      "Merge the small committed silver files of each partition into files of about the target\n"
      "size, one atomic commit per partition: readers see the old files or the new ones, never\n"
      "both. Rows, batch ids and the Kafka offset record are unchanged; bronze is not touched.\n"
      "`playlake stream` does the same in the background. The replaced files stay until\n"
      "`playlake vacuum` removes them. See docs/streaming.md (Small files).");
  auto flags = std::make_shared<CompactFlags>();
  cmd->add_option("--project", flags->project, "Project folder with playlake.yml")
      ->capture_default_str();
  cmd->add_option("--source", flags->source,
                  "Kafka source whose compact_* settings apply (default: the first)");
  cmd->add_option("--target-bytes", flags->target_bytes,
                  "Size of a merged file (default: kafka.compact_target_bytes, else 134217728)")
      ->check(CLI::Range(std::int64_t{1} << 20, std::int64_t{1} << 34));
  cmd->add_option("--min-files", flags->min_files,
                  "Small files a partition needs to be compacted (default: "
                  "kafka.compact_min_files, else 10)")
      ->check(CLI::Range(2, 100000));
  cmd->add_option("--threads", flags->threads, "DuckDB threads for merging")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  // Test hooks (docs/lake-format.md): kill -9 ourselves at a named step.
  cmd->add_option("--crash-at", flags->crash_at, "")->group("");
  cmd->add_option("--crash-occurrence", flags->crash_occurrence, "")->group("");
  cmd->callback([flags, &selected] { selected = [flags] { return RunCompact(*flags); }; });
}

}  // namespace playlake::cli
