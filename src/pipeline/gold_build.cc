#include "pipeline/gold_build.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>
#include <vector>

#include "common/atomic_file.h"
#include "common/file_io.h"
#include "common/hash.h"
#include "common/rfc3339.h"
#include "lake/lake.h"
#include "models/artifacts.h"
#include "models/exposures.h"
#include "models/project.h"
#include "pipeline/run.h"
#include "s3/open_lake.h"
#include "serve/gold_api.h"
#include "serve/gold_endpoints.h"
#include "silver/drift_report.h"
#include "silver/views.h"
#include "warehouse/duckdb.h"
#include "warehouse/sharing.h"

namespace playlake::pipeline {
namespace {

using nlohmann::json;

json Rows(warehouse::Connection& conn, const std::string& sql) {
  json rows = json::array();
  auto table = conn.Query(sql);
  if (!table) return rows;
  for (const auto& row : table->rows) {
    json object;
    for (std::size_t c = 0; c < table->columns.size(); ++c) {
      const auto& value = row[c];
      if (!value) {
        object[table->columns[c].name] = nullptr;
      } else if (table->columns[c].kind == warehouse::ColumnKind::kInteger) {
        object[table->columns[c].name] = std::stoll(*value);
      } else {
        object[table->columns[c].name] = *value;
      }
    }
    rows.push_back(std::move(object));
  }
  return rows;
}

// What the dashboard's pipeline page shows besides runs, tests and lineage.
Status WriteStatus(warehouse::Connection& conn, const std::filesystem::path& file,
                   const json& drift) {
  json freshness = json::array();
  // The newest event of an event table lies in its newest event_date (the
  // event's UTC date, a Hive partition): reading that day alone instead of
  // every play, the plays' row took 0.025 s instead of 0.05 s in a build
  // after 10,000 plays on the benchmark.
  constexpr const char* kNewestEvent =
      "(SELECT max(event_ts) FROM {0} WHERE event_date = (SELECT max(event_date) FROM {0}))";
  const std::pair<const char*, const char*> tables[] = {
      {"silver.plays", kNewestEvent},
      {"silver.page_views", kNewestEvent},
      {"silver.episodes", kNewestEvent},
      {"silver.users", "NULL"},
      {"silver.tracks", "NULL"},
      {"silver.artists", "NULL"},
      {"silver.albums", "NULL"},
      {"main.fct_plays", "max(played_at)"},
      {"main.kpi_daily", "max(kpi_date)"},
      {"main.top_tracks_daily", "max(play_date)"},
      {"main.trending_tracks", "max(as_of_date)"},
      {"main.dim_users", "max(valid_from)"},
  };
  const std::string now = Rfc3339Now();
  for (const auto& [table, newest] : tables) {
    json row = Rows(conn, fmt::format("SELECT '{}' AS \"table\", count(*) AS rows, "
                                      "CAST({} AS VARCHAR) AS newest_event FROM {}",
                                      table, fmt::format(fmt::runtime(newest), table), table));
    if (row.empty()) continue;  // the table does not exist (yet)
    row[0]["updated_at"] = now;
    freshness.push_back(row[0]);
  }
  json quarantine = Rows(conn,
                         "SELECT reason, source_format, count(*) AS records FROM silver.quarantine "
                         "GROUP BY ALL ORDER BY records DESC, reason");
  return WriteFileAtomically(file, json{{"freshness", freshness},
                                        {"quarantine", quarantine},
                                        {"drift", drift},
                                        {"updated_at", now}}
                                           .dump(2) +
                                       '\n');
}

// What the dashboard's queries bind against, and the queries: DuckDB's
// version, the name and type of every column of every relation in the
// warehouse, the endpoints this binary serves and each query's text. A check
// that passed on the same fingerprint would pass again.
Result<std::string> DashboardFingerprint(const serve::DashboardQueries& queries,
                                         warehouse::Connection& conn) {
  auto columns = conn.QueryScalar(
      "SELECT version() || coalesce(string_agg(concat_ws(' ', database_name, schema_name, "
      "table_name, column_name, data_type), chr(10) ORDER BY database_name, schema_name, "
      "table_name, column_index), '') FROM duckdb_columns() WHERE database_name = "
      "current_database()");
  if (!columns) return tl::unexpected(columns.error());
  Checksum fingerprint;
  auto add = [&fingerprint](std::string_view text) {
    fingerprint.Update(text);
    fingerprint.Update(std::string_view("\0", 1));
  };
  add(*columns);
  for (const serve::GoldEndpointSpec& endpoint : serve::GoldEndpoints()) {
    add(endpoint.name);
    for (const std::string& query : endpoint.queries) add(query);
  }
  for (const auto& [key, query] : queries.all()) {
    add(key.first);
    add(key.second);
    add(query.sql);
  }
  return fingerprint.Hex();
}

// The queries of the exposures of `models` that read a node `results` built,
// bound on the warehouse `db` holds. A build of some models checks what
// reads them; the exposures of the models it left alone are not its concern.
// `record` keeps the fingerprint of the last check that passed: a build that
// changed no column a query could read (most incremental runs) skips the check.
Status CheckDashboard(const models::Project& models, const models::RunResults& results,
                      warehouse::Database& db, const std::filesystem::path& record) {
  std::set<std::string> built;
  for (const auto& node : results.results) {
    if (node.status == models::NodeStatus::kSuccess) built.insert(node.unique_id);
  }
  auto compiled = models::CompileExposureQueries(models);
  if (!compiled) return tl::unexpected(compiled.error());
  auto queries = serve::DashboardQueries::FromProject(
      models, *compiled, [&built](const models::Exposure& exposure) {
        return std::any_of(exposure.depends_on.begin(), exposure.depends_on.end(),
                           [&built](const std::string& id) { return built.count(id) > 0; });
      });
  auto conn = db.Connect();
  if (!conn) return tl::unexpected(conn.error());
  auto fingerprint = DashboardFingerprint(queries, **conn);
  if (!fingerprint) return tl::unexpected(fingerprint.error());
  std::ifstream in(record);
  std::string last;
  if (in >> last && last == *fingerprint) {
    spdlog::debug("dashboard queries: the columns they read are those of the last check");
    return {};
  }
  if (auto checked = serve::CheckDashboard(queries, **conn); !checked) return checked;
  return WriteFileAtomically(record, *fingerprint);
}

// Besides --full-refresh and `playlake test`, a build checks every row of
// every model when the last one that did is older than this (the record is
// kWholeTableTestsFile under target/); builds in between check what they added.
constexpr std::chrono::hours kWholeTableTestsEvery{24};
constexpr const char* kWholeTableTestsFile = "whole_table_tests.json";
// Likewise a build lets DuckDB vacuum the warehouse (merge the small row
// groups incremental builds append, drop the rows they deleted) when the last
// one that did is older than this (kVacuumFile), or on --full-refresh; the
// builds in between checkpoint only what they changed.
constexpr std::chrono::hours kVacuumEvery{1};
constexpr const char* kVacuumFile = "vacuum.json";
// The fingerprint of the last dashboard check that passed (CheckDashboard).
constexpr const char* kDashboardCheckFile = "dashboard_check.fingerprint";

// Whether the time `file` records (RecordTime) is `every` ago or more, or
// there is none.
bool Due(const std::filesystem::path& file, std::chrono::hours every) {
  std::ifstream in(file);
  if (!in) return true;
  const json record = json::parse(in, nullptr, false);
  if (record.is_discarded() || !record.contains("epoch_seconds") ||
      !record["epoch_seconds"].is_number_integer()) {
    return true;
  }
  const std::chrono::system_clock::time_point last{
      std::chrono::seconds(record["epoch_seconds"].get<std::int64_t>())};
  return std::chrono::system_clock::now() - last >= every;
}

Status RecordTime(const std::filesystem::path& file) {
  const auto now = std::chrono::system_clock::now();
  return WriteFileAtomically(
      file, json{{"at", FormatRfc3339(now)},
                 {"epoch_seconds",
                  std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count()}}
                    .dump(2) +
                '\n');
}

}  // namespace

std::map<std::string, models::Value> ModelVars(const config::ProjectConfig& project,
                                               std::map<std::string, models::Value> overrides) {
  for (const auto& [name, text] : project.vars) {
    overrides.emplace(name, models::ValueFromScalar(text));
  }
  const bool sparkify_source =
      std::any_of(project.sources.begin(), project.sources.end(), [](const auto& source) {
        return source.format == "eventsim" || source.format == "msd-song";
      });
  if (sparkify_source) overrides.emplace("sparkify_tables", models::Value::Bool(true));
  return overrides;
}

// A build after a few new plays runs many small statements, as many at once as
// the runner has workers. Given DuckDB's threads as well, each statement spent
// more handing its work between them than it gained: on the benchmark's 5M
// plays (copies of one warehouse, alternated), a run after 10,000 plays took
// 1.81-2.22 s with one DuckDB thread a statement against 2.07-2.35 s, one after
// another day 3.40-4.40 s against 3.65-4.91 s, with a fifth less CPU. A build
// where much of silver is new (the first one, a backlog) or that rebuilds
// everything has fct_plays run alone for seconds and keeps DuckDB's threads (a
// full refresh with one a statement: 22.8 s against 19.6 s); so does a build
// that vacuums, for its closing checkpoint.
constexpr std::int64_t kMostlyBuilt = 10;  // at most 1/10 of silver's rows new

// Whether at most 1/kMostlyBuilt of the rows of silver's live files were
// committed after `built_at_us`.
bool MostlyBuiltBefore(std::int64_t built_at_us, const std::vector<lake::ManifestEntry>& silver) {
  std::int64_t rows = 0;
  for (const auto& file : lake::LiveFiles(silver)) rows += file.rows;
  std::int64_t new_rows = 0;
  for (const auto& entry : silver) {
    if (entry.committed_at_us <= built_at_us || !entry.replaces.empty()) continue;
    for (const auto& file : entry.files) new_rows += file.rows;
  }
  return new_rows * kMostlyBuilt <= rows;
}

int BuildThreads(const config::ProjectConfig& project, int requested) {
  if (requested > 0) return requested;
  if (project.threads > 0) return project.threads;
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

Result<GoldBuild> BuildGold(const config::ProjectConfig& project, const GoldBuildOptions& options) {
  const std::filesystem::path dir =
      options.models_dir.empty() ? project.models : options.models_dir;
  if (dir.empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}/playlake.yml has no `models:` folder; set one or pass --models DIR",
                            project.root.string()));
  }
  models::LoadOptions load;
  load.vars = ModelVars(project, options.vars);
  auto models = models::Project::Load(dir, load);
  if (!models) return tl::unexpected(models.error());

  const auto target = project.root / "target";
  const int threads = BuildThreads(project, options.threads);
  auto lake = s3::OpenLake(project, {});
  if (!lake) return tl::unexpected(lake.error());
  warehouse::DatabaseOptions db_options;
  db_options.threads = threads;
  db_options.cache_parquet_metadata = true;
  const auto vacuum_file = target / kVacuumFile;
  db_options.vacuum = options.full_refresh || Due(vacuum_file, kVacuumEvery);
  // Before the writer opens it: replaying a WAL may write it.
  const std::int64_t built_at_ns = ModifiedNs(project.warehouse);
  auto writer = warehouse::Writer::Open(project.warehouse, db_options);
  if (!writer) return tl::unexpected(writer.error());
  warehouse::Database& db = (*writer)->db();
  // The batches committed when the build starts are what the models build on
  // and what target/pipeline_status.json reports: one read of the commit log.
  auto silver_entries = (*lake)->Entries("silver");
  if (!silver_entries) return tl::unexpected(silver_entries.error());
  std::map<std::string, std::string> source_versions;
  {
    auto conn = db.Connect();
    if (!conn) return tl::unexpected(conn.error());
    if (!options.full_refresh && !db_options.vacuum && built_at_ns > 0 &&
        MostlyBuiltBefore(built_at_ns / 1000, *silver_entries)) {
      if (auto s = (*conn)->Execute("SET threads = 1"); !s) return tl::unexpected(s.error());
      spdlog::debug("most of silver was built before: one DuckDB thread a statement, {} at once",
                    threads);
    }
    if (auto s = silver::CreateSilverSchema(**conn, **lake, *silver_entries); !s) {
      return tl::unexpected(s.error());
    }
    // A silver view lists the Parquet files it reads, and a committed file never
    // changes: the view's text is the version of its data. Its files are named
    // within the lake, so a project moved (or mounted at another path) keeps
    // what its models built.
    auto views = (*conn)->Query(fmt::format(
        "SELECT schema_name || '.' || view_name, replace(sql, {}, '') FROM duckdb_views() "
        "WHERE schema_name = 'silver'",
        warehouse::QuoteLiteral((*lake)->storage().Url(""))));
    if (!views) return tl::unexpected(views.error());
    for (const auto& row : views->rows) source_versions[row[0].value_or("")] = row[1].value_or("");
  }

  models::RunnerOptions runner_options;
  runner_options.threads = threads;
  runner_options.full_refresh = options.full_refresh;
  const bool builds = options.command == "build" || options.command == "run";
  const auto whole_tests_file = target / kWholeTableTestsFile;
  runner_options.whole_table_tests =
      options.full_refresh || Due(whole_tests_file, kWholeTableTestsEvery);
  runner_options.target_dir = target;
  runner_options.warehouse_name = project.warehouse.string();
  runner_options.source_relations = options.source_relations;
  runner_options.keep_unchanged = true;
  runner_options.source_versions = std::move(source_versions);
  runner_options.progress = options.progress;
  runner_options.notice = options.notice;
  GoldBuild build;
  {
    models::Runner runner(*models, db, runner_options);
    const std::string& command = options.command;
    auto results = command == "build"      ? runner.Build(options.selection)
                   : command == "test"     ? runner.Test(options.selection)
                   : command == "snapshot" ? runner.Snapshot(options.selection)
                                           : runner.Run(options.selection);
    if (!results) return tl::unexpected(results.error());
    build.results = std::move(*results);
  }
  // Only on a clean build: a failed node skips what depends on it, and the
  // dashboard would be checked against tables this build did not make.
  if (builds && !build.results.HasErrors() && !build.results.HasTestFailures()) {
    build.dashboard = CheckDashboard(*models, build.results, db, target / kDashboardCheckFile);
  }
  {
    auto conn = db.Connect();
    if (!conn) return tl::unexpected(conn.error());
    if (auto s = WriteStatus(**conn, target / "pipeline_status.json",
                             silver::DriftRows(*silver_entries));
        !s) {
      return tl::unexpected(s.error());
    }
  }
  // What the build made, tests failed or not, is what readers see next.
  if (auto s = options.process_ends_after ? (*writer)->FinishBeforeExit() : (*writer)->Finish();
      !s) {
    return tl::unexpected(s.error());
  }
  if (db_options.vacuum) {
    if (auto s = RecordTime(vacuum_file); !s) return tl::unexpected(s.error());
  }
  // A build or `playlake test` of the whole project that checked every row and passed.
  const bool every_row =
      options.command == "test" || (options.command == "build" && runner_options.whole_table_tests);
  if (every_row && options.selection.select.empty() && options.selection.exclude.empty() &&
      !build.results.HasErrors() && !build.results.HasTestFailures() && build.dashboard) {
    if (auto s = RecordTime(whole_tests_file); !s) return tl::unexpected(s.error());
  }
  return build;
}

}  // namespace playlake::pipeline
