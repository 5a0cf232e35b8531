// How subcommands plug into the `playlake` binary.
//
// Each Add*Command registers a CLI11 subcommand with its flags and help text.
// When the user picks it, CLI11 stores the command's body in `selected`; main
// runs it after parsing and maps a returned Error to the exit code documented
// in docs/cli.md. Logs go to stderr, results to stdout.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>

#include "common/result.h"
#include "config/project.h"
#include "pipeline/scheduler.h"
#include "serve/server.h"

namespace playlake::cli {

using CommandBody = std::function<Status()>;

void AddInitCommand(CLI::App& app, CommandBody& selected);
void AddGenerateCommand(CLI::App& app, CommandBody& selected);
// build, test, snapshot and docs: the model runner (build_command.cc).
void AddBuildCommands(CLI::App& app, CommandBody& selected);
void AddServeCommand(CLI::App& app, CommandBody& selected);
// run and demo (run_command.cc).
void AddRunCommands(CLI::App& app, CommandBody& selected);
// ingest and sql: bronze and silver (ingest_command.cc, sql_command.cc).
void AddIngestCommand(CLI::App& app, CommandBody& selected);
void AddSqlCommand(CLI::App& app, CommandBody& selected);
// vacuum: leftovers of crashed writers (vacuum_command.cc).
void AddVacuumCommand(CLI::App& app, CommandBody& selected);
// stream: a Kafka source into the lake (stream_command.cc).
void AddStreamCommand(CLI::App& app, CommandBody& selected);
// playlake compact: merge small silver files (compact_command.cc).
void AddCompactCommand(CLI::App& app, CommandBody& selected);
// spotify login and get: the Spotify Web API (spotify_command.cc).
void AddSpotifyCommand(CLI::App& app, CommandBody& selected);
// schedule (schedule_command.cc).
void AddScheduleCommand(CLI::App& app, CommandBody& selected);

// The scheduler of `project` (which has a schedule), running this binary's
// `run` at the current log level. Shared by `schedule` and `serve`.
std::unique_ptr<pipeline::Scheduler> NewScheduler(const config::ProjectConfig& project);

// Where `serve` reads gold: the project's DuckDB warehouse, or the tables
// published to its ClickHouse (publish.clickhouse).
enum class GoldFrom { kDuckDb, kClickHouse };

// Serves `project`'s dashboard with `options` (by default, options.static_dir
// empty, the dashboard shipped with the binary) until SIGINT or SIGTERM.
// Shared by `serve` and `demo`.
Status ServeProject(const config::ProjectConfig& project, serve::ServerOptions options,
                    std::size_t cache_entries = 1024, GoldFrom from = GoldFrom::kDuckDb);

}  // namespace playlake::cli
