// playlake serve: the dashboard and its JSON API over a project's gold layer.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <pthread.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <csignal>
#include <fstream>
#include <mutex>
#include <stop_token>
#include <thread>

#include "cli/command.h"
#include "common/rfc3339.h"
#include "common/shipped_files.h"
#include "config/project.h"
#include "pipeline/publish_gold.h"
#include "pipeline/scheduler.h"
#include "serve/event_stream.h"
#include "serve/gold_api.h"
#include "serve/server.h"
#include "serve/stream_metrics.h"
#include "stream/live_feed.h"
#include "stream/stream_monitor.h"
#include "warehouse/sharing.h"
#include "s3/open_lake.h"

namespace playlake::cli {
namespace {

struct ServeFlags {
  std::string project = ".";
  std::string host;
  int port = -1;
  std::string token;
  std::string token_file;
  std::vector<std::string> allowed_hosts;
  bool public_metrics = false;
  std::string web_dir;  // empty: the dashboard shipped with the binary
  std::size_t cache_entries = 1024;
  bool no_schedule = false;
  std::string from = "duckdb";
};

// The token in `path`: its first line, without surrounding blanks.
Result<std::string> ReadTokenFile(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!in || !std::getline(in, token)) {
    return Fail(ErrorCode::kIo, fmt::format("--token-file: cannot read '{}'", path));
  }
  const auto first = token.find_first_not_of(" \t\r");
  const auto last = token.find_last_not_of(" \t\r");
  if (first == std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("--token-file: '{}' starts with an empty line, not a token", path));
  }
  return token.substr(first, last - first + 1);
}

// The live view of the project's first Kafka source: /api/live answers the
// latest snapshot and /api/live/stream pushes each new one (docs/api.md,
// "Live"). Without a Kafka source, /api/live says so and the feed is null.
Result<std::unique_ptr<stream::LiveFeed>> StartLiveView(const config::ProjectConfig& project,
                                                        serve::Server& server) {
  const auto source = std::find_if(project.sources.begin(), project.sources.end(),
                                   [](const config::SourceConfig& s) { return s.kafka; });
  if (source == project.sources.end()) {
    server.AddApi("live", [](const serve::Params&) -> Result<nlohmann::json> {
      return nlohmann::json{{"available", false}};
    });
    return nullptr;
  }
  // Event ids are the snapshots' positions in the topic: they follow the
  // data, so a client resuming after a restart gets the next snapshot past
  // the one it has.
  auto events = std::make_shared<serve::EventStream>(256);
  auto feed = stream::LiveFeed::Start(
      *source, {}, [events](std::uint64_t position, const nlohmann::json& snapshot) {
        events->PublishAt(position, "snapshot", snapshot.dump());
      });
  if (!feed) return tl::unexpected(feed.error());
  server.AddApi("live", [feed = feed->get()](const serve::Params&) -> Result<nlohmann::json> {
    return feed->Snapshot();
  });
  server.AddStream("live/stream", events);
  spdlog::info("live view: source {} ({})", source->name, fmt::join(source->kafka->topics, ", "));
  return std::move(*feed);
}

// The stream figures of the project's first Kafka source: /api/stream and
// the playlake_stream_* lines of /metrics (docs/streaming.md, "Monitoring").
// Without a Kafka source, /api/stream says so and the metrics are empty.
struct StreamStatus {
  std::unique_ptr<lake::Lake> lake;
  std::unique_ptr<stream::StreamMonitor> monitor;
  std::string Metrics() const {
    if (!monitor) return "";
    auto figures = monitor->Read();
    if (!figures) return "# playlake_stream: " + figures.error().message + "\n";
    return serve::StreamMetricsText(*figures);
  }
};

Result<std::shared_ptr<StreamStatus>> AddStreamStatus(const config::ProjectConfig& project,
                                                      serve::Server& server) {
  auto status = std::make_shared<StreamStatus>();
  const auto source = std::find_if(project.sources.begin(), project.sources.end(),
                                   [](const config::SourceConfig& s) { return s.kafka; });
  if (source == project.sources.end()) {
    server.AddApi("stream", [](const serve::Params&) -> Result<nlohmann::json> {
      return nlohmann::json{{"available", false}};
    });
    return status;
  }
  auto lake = s3::OpenLake(project, {});
  if (!lake) return tl::unexpected(lake.error());
  auto monitor = stream::StreamMonitor::Create(**lake, *source, {});
  if (!monitor) return tl::unexpected(monitor.error());
  status->lake = std::move(*lake);
  status->monitor = std::move(*monitor);
  server.AddApi("stream", [status](const serve::Params&) -> Result<nlohmann::json> {
    auto figures = status->monitor->Read();
    if (!figures) return tl::unexpected(figures.error());
    return serve::StreamFiguresJson(*figures);
  });
  return status;
}

}  // namespace

Status ServeProject(const config::ProjectConfig& project, serve::ServerOptions options,
                    std::size_t cache_entries, GoldFrom from) {
  if (options.static_dir.empty()) {
    auto shipped = ShippedDir();
    if (!shipped) return tl::unexpected(shipped.error());
    options.static_dir = *shipped / "web";
  }
  const bool clickhouse = from == GoldFrom::kClickHouse;
  if (clickhouse && project.clickhouse.url.empty()) {
    return Fail(ErrorCode::kConfig,
                "--from clickhouse: playlake.yml has no publish.clickhouse (url, database) to "
                "read the published gold from (docs/deploy.md)");
  }
  std::unique_ptr<warehouse::Reader> gold;
  if (!clickhouse) {
    warehouse::DatabaseOptions db_options;
    db_options.threads = project.threads;
    auto opened = warehouse::Reader::Open(project.warehouse, db_options);
    if (!opened) {
      return Fail(ErrorCode::kWarehouse,
                  fmt::format("{} (build the gold layer first with `playlake run`)",
                              opened.error().message));
    }
    gold = std::move(*opened);
  }
  auto server = serve::Server::Create(std::move(options));
  if (!server) return tl::unexpected(server.error());
  const auto target = project.root / "target";
  serve::GoldApiOptions api;
  api.target_dir = target;
  // The pages' SQL follows the model project the warehouse was built from.
  auto queries = serve::DashboardQueries::Load(
      project.models, clickhouse ? serve::DashboardQueries::Engine::kClickHouse
                                 : serve::DashboardQueries::Engine::kDuckDb);
  if (!queries) return tl::unexpected(queries.error());
  api.queries = std::move(*queries);
  api.cache_entries = cache_entries;
  if (const auto& cron = project.schedule.cron) {
    api.schedule = [cron = *cron] {
      const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
      return nlohmann::json{{"cron", cron.expression()},
                            {"next_run_at", FormatRfc3339(cron.Next(now))}};
    };
  }
  auto live = StartLiveView(project, **server);
  if (!live) return tl::unexpected(live.error());
  auto stream_status = AddStreamStatus(project, **server);
  if (!stream_status) return tl::unexpected(stream_status.error());
  std::function<void()> warm;
  if (clickhouse) {
    serve::RegisterClickHouseApi(**server, pipeline::ClickHouseTargetOf(project.clickhouse), api);
  } else {
    spdlog::info("answering the dashboard's first pages...");
    warm = serve::RegisterGoldApi(**server, *gold, api);
  }
  (*server)->SetMetricsSource([target, stream_status = *stream_status] {
    return serve::PipelineMetrics(target) + stream_status->Metrics();
  });
  // Block SIGINT/SIGTERM before the server starts its threads (they inherit
  // the mask), then wait for one here and stop cleanly.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  if (auto started = (*server)->Start(); !started) return started;
  // The URL goes to stdout: it is this command's result.
  fmt::print("Dashboard: {}\n", (*server)->url());
  std::fflush(stdout);
  if (clickhouse) {
    spdlog::info("serving database {} of ClickHouse at {} (Ctrl-C to stop)",
                 project.clickhouse.database, project.clickhouse.url);
  } else {
    spdlog::info("serving {} (Ctrl-C to stop)", project.warehouse.string());
  }
  // Each new build of gold (a run, scheduled or not) starts an empty answer
  // cache: answer the dashboard's first pages on it at once, not on the
  // first visitor's time.
  std::jthread rewarm([gold = gold.get(), warm,
                       cached = cache_entries > 0](std::stop_token stop) {
    if (gold == nullptr) return;  // ClickHouse: no cache to warm
    warehouse::Reader& reader = *gold;
    std::mutex mutex;
    std::condition_variable_any tick;
    std::uint64_t warmed = reader.Current().generation;
    std::unique_lock lock(mutex);
    while (!tick.wait_for(lock, stop, std::chrono::seconds(1),
                          [&] { return stop.stop_requested(); })) {
      if (const auto generation = reader.Current().generation; cached && generation != warmed) {
        warmed = generation;
        warm();
        spdlog::info("answered the dashboard's first pages on the new build");
      }
    }
  });
  // The built-in scheduler: runs go to child processes, and the dashboard
  // moves to each new build of gold by itself.
  std::unique_ptr<pipeline::Scheduler> scheduler;
  std::thread scheduling;
  if (project.schedule.cron) {
    scheduler = NewScheduler(project);
    scheduling = std::thread([&] {
      if (auto runs = scheduler->Run(); !runs)
        spdlog::error("no schedule: {}", runs.error().message);
    });
  }
  siginfo_t signal{};
  while (sigwaitinfo(&signals, &signal) < 0) {
  }
  spdlog::info("stopping on signal {} from process {}", signal.si_signo, signal.si_pid);
  if (scheduler) {
    scheduler->Stop();
    scheduling.join();
  }
  if (*live) (*live)->Stop();  // no snapshot is published on a stopped server
  (*server)->Stop();
  return {};
}

void AddServeCommand(CLI::App& app, CommandBody& selected) {
  auto* cmd = app.add_subcommand("serve", "Serve the dashboard and its read-only JSON API");
  auto flags = std::make_shared<ServeFlags>();
  cmd->add_option("--project", flags->project, "Project folder (with playlake.yml)")
      ->capture_default_str();
  cmd->add_option("--host", flags->host, "Address to bind (default: server.host, 127.0.0.1)");
  cmd->add_option("--port", flags->port, "Port (default: server.port, 8080; 0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--token", flags->token,
                  "API token, required when binding anything but loopback (visible to other "
                  "users in the process list: prefer --token-file or the variable named by "
                  "server.token_env, PLAYLAKE_TOKEN, which is the default)");
  cmd->add_option("--token-file", flags->token_file,
                  "Read the API token from the first line of this file");
  cmd->add_option("--allow-host", flags->allowed_hosts,
                  "A Host name to answer besides the bound one (e.g. a reverse proxy's); "
                  "repeatable");
  cmd->add_flag("--public-metrics", flags->public_metrics,
                "Serve /metrics without the token (a scraper on a trusted network)");
  cmd->add_option("--web-dir", flags->web_dir,
                  "Folder of the built dashboard (default: the one shipped with playlake)");
  cmd->add_option("--cache-entries", flags->cache_entries,
                  "API answers kept in memory (of the newest build of gold); 0 disables the "
                  "cache and the warm-up")
      ->capture_default_str();
  cmd->add_flag("--no-schedule", flags->no_schedule,
                "Do not run the pipeline at the times of schedule.cron (by default, when "
                "playlake.yml has a schedule, serve runs it as `playlake schedule` does)");
  cmd->add_option("--from", flags->from,
                  "Where the API reads gold: duckdb, the project's warehouse; or clickhouse, "
                  "the tables `playlake run` publishes to publish.clickhouse (its url and "
                  "database; the user and password from the variables named by its user_env "
                  "and password_env, CLICKHOUSE_USER and CLICKHOUSE_PASSWORD by default), "
                  "answered without a cache")
      ->check(CLI::IsMember({"duckdb", "clickhouse"}))
      ->capture_default_str();
  cmd->callback([&selected, flags] {
    selected = [flags]() -> Status {
      auto project = config::LoadProject(flags->project);
      if (!project) return tl::unexpected(project.error());
      serve::ServerOptions options;
      options.host = flags->host.empty() ? project->server.host : flags->host;
      options.port = flags->port >= 0 ? flags->port : project->server.port;
      options.token = flags->token.empty() ? project->server.token : flags->token;
      if (flags->token.empty() && !flags->token_file.empty()) {
        auto token = ReadTokenFile(flags->token_file);
        if (!token) return tl::unexpected(token.error());
        options.token = *token;
      }
      options.allowed_hosts = flags->allowed_hosts;
      options.public_metrics = flags->public_metrics;
      options.static_dir = flags->web_dir;
      if (flags->no_schedule) project->schedule.cron.reset();
      return ServeProject(*project, std::move(options), flags->cache_entries,
                          flags->from == "clickhouse" ? GoldFrom::kClickHouse : GoldFrom::kDuckDb);
    };
  });
}

}  // namespace playlake::cli
