// playlake stream: a Kafka source into the lake, continuously, with an
// exactly-once effect (src/stream/worker.h, docs/streaming.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <thread>

#include "cli/command.h"
#include "config/project.h"
#include "lake/faults.h"
#include "lake/lake.h"
#include "s3/open_lake.h"
#include "stream/compactor.h"
#include "stream/worker.h"

namespace playlake::cli {
namespace {

// Signal handlers may only touch a lock-free flag; only the handler writes it.
volatile std::sig_atomic_t g_stream_stop = 0;
extern "C" void OnStreamStop(int) { g_stream_stop = 1; }

struct StreamFlags {
  std::string project = ".";
  std::string source;
  int threads = 0;
  std::string crash_at;  // test hook: a named step of a commit
  int crash_occurrence = 1;
};

Result<config::SourceConfig> KafkaSourceOf(const config::ProjectConfig& project,
                                           const std::string& name) {
  std::vector<const config::SourceConfig*> kafka;
  for (const auto& s : project.sources) {
    if (s.kafka && (name.empty() || s.name == name)) kafka.push_back(&s);
  }
  if (kafka.size() == 1) return *kafka.front();
  if (kafka.empty()) {
    return Fail(ErrorCode::kConfig,
                name.empty()
                    ? fmt::format("{}/playlake.yml has no Kafka source: add a source with a "
                                  "`kafka:` mapping (docs/streaming.md)",
                                  project.root.string())
                    : fmt::format("{}/playlake.yml has no Kafka source named '{}'",
                                  project.root.string(), name));
  }
  return Fail(ErrorCode::kInvalidArgument,
              "playlake.yml has several Kafka sources: pick one with --source NAME (one worker "
              "per source)");
}

// How long the background compactor leaves the files it replaced for
// readers that listed the lake before (a query, a gold build).
constexpr std::chrono::hours kKeepReplaced{1};
// How often it looks for them: that reads the whole commit log (seconds on a
// lake of 100,000 batches), so not at every pass.
constexpr std::chrono::minutes kRemoveReplacedEvery{10};

// The stream's compactor: a pass every few flush intervals (at least 1 s)
// while the worker runs, on a thread of its own with one DuckDB thread, so
// the worker's commits wait only for a compaction's publication. Its errors
// are logged, never fatal to the stream: the small files stay readable.
class BackgroundCompactor {
 public:
  BackgroundCompactor(lake::Lake& lake, const config::KafkaSourceConfig& kafka) {
    if (kafka.compact_target_bytes <= 0) return;
    stream::CompactOptions options;
    options.target_bytes = static_cast<std::uint64_t>(kafka.compact_target_bytes);
    options.min_files = kafka.compact_min_files;
    options.stop_requested = [this] { return stop_.load(); };
    const auto every = std::chrono::milliseconds(std::max(1000, kafka.flush_interval_ms * 5));
    thread_ = std::thread([this, &lake, options, every] { Loop(lake, options, every); });
  }
  ~BackgroundCompactor() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop(lake::Lake& lake, const stream::CompactOptions& options,
            std::chrono::milliseconds every) {
    stream::Compactor compactor(lake, options);
    auto next_removal = std::chrono::steady_clock::now();
    while (!stop_) {
      for (auto waited = std::chrono::milliseconds(0); waited < every && !stop_;
           waited += std::chrono::milliseconds(100)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (stop_) break;
      auto summary = compactor.Run();
      if (!summary) {
        spdlog::warn("compaction: {} (the small files stay; retrying later)",
                     summary.error().message);
        continue;
      }
      if (summary->partitions > 0) {
        spdlog::info("compacted {} partition(s): {} files ({:.1f} MB) → {} ({:.1f} MB) in {:.2f} s",
                     summary->partitions, summary->files_before, summary->bytes_before / 1e6,
                     summary->files_after, summary->bytes_after / 1e6, summary->seconds);
      }
      if (std::chrono::steady_clock::now() < next_removal) continue;
      next_removal = std::chrono::steady_clock::now() + kRemoveReplacedEvery;
      if (auto removed = lake.RemoveReplaced(kKeepReplaced); !removed) {
        spdlog::warn("compaction: removing replaced files: {}", removed.error().message);
      }
    }
  }

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

Status RunStream(const StreamFlags& flags) {
  // First: a stop asked for while the project and lake open still ends in
  // an orderly exit 0 (nothing is in flight yet), not the default 143.
  std::signal(SIGINT, OnStreamStop);
  std::signal(SIGTERM, OnStreamStop);
  auto project = config::LoadProject(flags.project);
  if (!project) return tl::unexpected(project.error());
  auto source = KafkaSourceOf(*project, flags.source);
  if (!source) return tl::unexpected(source.error());
  std::unique_ptr<lake::CrashAt> crash;
  lake::LakeOptions options;
  if (!flags.crash_at.empty()) {
    crash = std::make_unique<lake::CrashAt>(flags.crash_at, flags.crash_occurrence);
    options.faults = crash.get();
  }
  auto lake = s3::OpenLake(*project, std::move(options));
  if (!lake) return tl::unexpected(lake.error());
  stream::WorkerOptions worker_options;
  worker_options.threads = flags.threads > 0 ? flags.threads : std::max(1, project->threads);
  worker_options.stop_requested = [] { return g_stream_stop != 0; };
  BackgroundCompactor compactor(**lake, *source->kafka);
  stream::StreamWorker worker(**lake, std::move(*source), worker_options);
  return worker.Run();
}

}  // namespace

void AddStreamCommand(CLI::App& app, CommandBody& selected) {
  auto* cmd = app.add_subcommand(
      "stream",
      "Read the project's Kafka source continuously into bronze and silver, in micro-batches\n"
      "committed with an exactly-once effect: each partition's offset range is recorded in the\n"
      "lake's commit, a batch commits only if it starts where its partition's record ends, and\n"
      "offsets go to Kafka after the lake commit. Invalid messages are quarantined with topic,\n"
      "partition and offset. Offsets the brokers deleted before they were read are recorded as\n"
      "one quarantine row per gap (deleted_by_broker), or stop the worker with\n"
      "kafka.on_offset_gap: stop; brokers whose offsets went backwards stop it. In the\n"
      "background, small silver files are compacted into large ones\n"
      "(kafka.compact_target_bytes). Runs until SIGTERM or Ctrl-C, then commits what is in\n"
      "flight and exits 0; exits 5 when it stops on offsets as above. See docs/streaming.md.");
  auto flags = std::make_shared<StreamFlags>();
  cmd->add_option("--project", flags->project, "Project folder with playlake.yml")
      ->capture_default_str();
  cmd->add_option("--source", flags->source,
                  "The Kafka source to read (sources[].name; default: the only one)");
  cmd->add_option("--threads", flags->threads,
                  "Silver parser threads (0: the project's threads setting, else 1)")
      ->check(CLI::Range(0, 256));
  // Test hooks (docs/streaming.md): kill -9 ourselves at a named commit step.
  cmd->add_option("--crash-at", flags->crash_at, "")->group("");
  cmd->add_option("--crash-occurrence", flags->crash_occurrence, "")->group("");
  cmd->callback([flags, &selected] { selected = [flags] { return RunStream(*flags); }; });
}

}  // namespace playlake::cli
