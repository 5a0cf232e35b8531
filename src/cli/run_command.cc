// playlake run: the batch DAG of a project. playlake demo: the whole product on
// generated data in one command.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "cli/command.h"
#include "pipeline/batch.h"
#include "serve/dashboard_queries.h"
#include "sim/catalog_files.h"
#include "sim/civil_time.h"
#include "sim/generator.h"
#include "sim/sink.h"
#include "sim/world.h"
#include "warehouse/duckdb.h"

namespace playlake::cli {
namespace {

// `process_ends_after`: the command ends after the run (pipeline::BatchOptions).
Status RunProject(const config::ProjectConfig& project, bool full_refresh,
                  bool process_ends_after) {
  auto run = pipeline::RunBatch(project, {full_refresh, process_ends_after});
  if (!run) return tl::unexpected(run.error());
  spdlog::info("run {} {} in {:.1f}s", run->run_id, run->status, run->duration_s);
  if (run->status != "success") {
    return Fail(run->error_code, fmt::format("run {} failed: {}", run->run_id, run->error));
  }
  return {};
}

struct DemoFlags {
  std::string dir;
  bool no_serve = false;
  std::uint32_t users = 20000;
  int days = 30;
  std::uint64_t seed = 42;
  std::string end;  // YYYY-MM-DD; default: yesterday (UTC)
  int port = 8080;
};

constexpr const char* kDemoProject = R"(# Created by `playlake demo`. See docs/project.md.
name: demo
sources:
  - name: catalog
    format: playlake-catalog
    path: data/catalog
  - name: events
    format: playlake
    path: data/events
)";

// Generates the demo's listening once; a second demo in the same folder reuses it.
Status GenerateDemoData(const std::filesystem::path& dir, const DemoFlags& flags) {
  const auto events = dir / "data" / "events";
  std::error_code ec;
  if (std::filesystem::exists(events, ec) && !std::filesystem::is_empty(events, ec)) {
    spdlog::info("reusing the listening already generated in {}", events.string());
    return {};
  }
  std::int64_t end_day = 0;
  if (flags.end.empty()) {
    end_day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())
                  .time_since_epoch()
                  .count() -
              1;
  } else {
    auto parsed = sim::ParseDate(flags.end, "--end");
    if (!parsed) return tl::unexpected(parsed.error());
    end_day = *parsed;
  }
  sim::WorldOptions world_options;
  world_options.seed = flags.seed;
  world_options.users = flags.users;
  world_options.start_day = end_day - flags.days + 1;
  world_options.end_day = end_day;
  spdlog::info("generating {} days of listening for {} listeners (seed {})", flags.days,
               flags.users, flags.seed);
  const auto world = sim::World::Build(world_options);
  std::filesystem::create_directories(events, ec);
  if (ec)
    return Fail(ErrorCode::kIo, fmt::format("cannot create {}: {}", events.string(), ec.message()));
  if (auto s = sim::WriteCatalogFiles(*world, dir / "data" / "catalog"); !s) return s;
  auto sink = sim::OpenSink(events.string() + "/");
  if (!sink) return tl::unexpected(sink.error());
  sim::GenerateOptions options;
  options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  // A realistic feed: a few duplicates, late events and broken lines for
  // silver to deduplicate, place and quarantine.
  options.faults.duplicate = 0.005;
  options.faults.late = 0.002;
  options.faults.malformed = 0.0005;
  auto stats = sim::Generate(*world, options, **sink);
  if (!stats) return tl::unexpected(stats.error());
  spdlog::info("generated {} plays ({:.0f} MB) in {:.1f}s", stats->plays, stats->bytes / 1e6,
               stats->seconds);
  return {};
}

// Prints the headline answers of the gold layer on stdout: the queries of the
// model project's `demo` exposure (analyses/demo/*.sql), under these titles.
Status PrintHeadlines(const config::ProjectConfig& project) {
  auto queries = serve::DashboardQueries::Load(project.models);
  if (!queries) return tl::unexpected(queries.error());
  auto db = warehouse::Database::Open(project.warehouse.string(),
                                      {.threads = 0, .memory_limit = "", .read_only = true});
  if (!db) return tl::unexpected(db.error());
  auto conn = (*db)->Connect();
  if (!conn) return tl::unexpected(conn.error());
  const std::pair<const char*, const char*> headlines[] = {
      {"Plays, listeners, listening hours", "totals"},
      {"Top tracks", "top_tracks"},
      {"Trending now (last 7 days vs the 7 before)", "trending"},
      {"Top countries", "top_countries"},
      {"Device split", "device_split"},
      {"Peak listening hour (local time)", "peak_hours"},
  };
  for (const auto& [title, name] : headlines) {
    auto query = queries->Bind("demo", name, {});
    if (!query) return tl::unexpected(query.error());
    auto table = (*conn)->Query(query->sql, query->params);
    if (!table) return tl::unexpected(table.error());
    fmt::print("\n{}\n", title);
    for (const auto& row : table->rows) {
      std::string line;
      for (const auto& value : row) line += fmt::format("  {:<28}", value.value_or("-"));
      fmt::print("{}\n", line);
    }
  }
  std::ifstream results(project.root / "target" / "run_results.json");
  const auto json = nlohmann::json::parse(results, nullptr, false);
  int passed = 0, tests = 0;
  if (!json.is_discarded()) {
    for (const auto& r : json["results"]) {
      if (r.value("unique_id", "").rfind("test.", 0) != 0) continue;
      ++tests;
      passed += r.value("status", "") == "pass";
    }
  }
  fmt::print("\nData tests: {} of {} passed\n", passed, tests);
  std::fflush(stdout);
  return {};
}

Status Demo(const DemoFlags& flags) {
  std::filesystem::path dir = flags.dir;
  if (dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "playlake-demo-XXXXXX").string();
    if (!mkdtemp(pattern.data())) return Fail(ErrorCode::kIo, "cannot create a temporary folder");
    dir = pattern;
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (!std::filesystem::exists(dir / "playlake.yml")) {
    std::ofstream(dir / "playlake.yml") << kDemoProject;
  }
  auto project = config::LoadProject(dir);
  if (!project) return tl::unexpected(project.error());
  spdlog::info("demo project: {}", dir.string());
  if (auto s = GenerateDemoData(dir, flags); !s) return s;
  // The demo serves the warehouse next, and its scheduler builds it again.
  if (auto s = RunProject(*project, false, false); !s) return s;
  if (auto s = PrintHeadlines(*project); !s) return s;
  if (flags.no_serve) return {};
  serve::ServerOptions options;
  options.port = flags.port;
  return ServeProject(*project, options);
}

}  // namespace

void AddRunCommands(CLI::App& app, CommandBody& selected) {
  auto* run = app.add_subcommand(
      "run",
      "Run the batch pipeline: ingest new inputs of the configured sources into bronze and "
      "silver, build and test the gold layer, record the run");
  auto project_dir = std::make_shared<std::string>(".");
  auto full_refresh = std::make_shared<bool>(false);
  run->add_option("--project", *project_dir, "Project folder (with playlake.yml)")
      ->capture_default_str();
  run->add_flag("--full-refresh", *full_refresh, "Rebuild incremental models from scratch");
  run->callback([&selected, project_dir, full_refresh] {
    selected = [project_dir, full_refresh]() -> Status {
      auto project = config::LoadProject(*project_dir);
      if (!project) return tl::unexpected(project.error());
      return RunProject(*project, *full_refresh, true);
    };
  });

  auto* demo =
      app.add_subcommand("demo",
                         "The whole product in one command: generate a month of listening, run the "
                         "pipeline, print the headline answers and serve the dashboard");
  auto flags = std::make_shared<DemoFlags>();
  demo->add_option("--dir", flags->dir,
                   "Project folder to create or reuse (default: a new temporary folder)");
  demo->add_flag("--no-serve", flags->no_serve, "Stop after printing the answers");
  demo->add_option("--users", flags->users, "Listeners to simulate")
      ->check(CLI::Range(1u, 10000000u))
      ->capture_default_str();
  demo->add_option("--days", flags->days, "Days of listening, ending at --end")
      ->check(CLI::Range(1, 3660))
      ->capture_default_str();
  demo->add_option("--seed", flags->seed, "Simulator seed")->capture_default_str();
  demo->add_option("--end", flags->end, "Last day, YYYY-MM-DD (default: yesterday, UTC)");
  demo->add_option("--port", flags->port, "Dashboard port (0 picks a free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  demo->callback([&selected, flags] { selected = [flags] { return Demo(*flags); }; });
}

}  // namespace playlake::cli
