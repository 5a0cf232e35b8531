// playlake stream: a Kafka source into the lake, continuously, with an
// exactly-once effect (src/stream/worker.h, docs/streaming.md).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <csignal>
#include <memory>

#include "cli/command.h"
#include "config/project.h"
#include "lake/faults.h"
#include "lake/lake.h"
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

Status RunStream(const StreamFlags& flags) {
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
  auto lake = lake::Lake::OpenLocal(project->lake, std::move(options));
  if (!lake) return tl::unexpected(lake.error());
  std::signal(SIGINT, OnStreamStop);
  std::signal(SIGTERM, OnStreamStop);
  stream::WorkerOptions worker_options;
  worker_options.threads = flags.threads > 0 ? flags.threads : std::max(1, project->threads);
  worker_options.stop_requested = [] { return g_stream_stop != 0; };
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
      "partition and offset. Runs until SIGTERM or Ctrl-C, then commits what is in flight and\n"
      "exits 0. See docs/streaming.md.");
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
