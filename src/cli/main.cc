// playlake: the command line entry point. The only place that chooses exit codes.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>

#include "cli/command.h"

#ifndef PLAYLAKE_VERSION
#define PLAYLAKE_VERSION "0.0.0"
#endif

int main(int argc, char** argv) {
  using namespace playlake;
  spdlog::set_default_logger(spdlog::stderr_color_mt("playlake"));
  spdlog::set_pattern("%^%l%$: %v");

  CLI::App app{
      "Playlake: music-streaming analytics in one program.\n"
      "Generates or ingests listening data, builds a tested medallion lake (bronze, silver,\n"
      "gold) on embedded DuckDB and serves the answers. Run `playlake COMMAND --help` for a\n"
      "command's flags. Exit codes: 0 ok, 2 bad usage, 3 bad config, 4 I/O, 5 bad data,\n"
      "6 warehouse, 7 data tests failed, 70 internal error.",
      "playlake"};
  app.set_version_flag("--version", "playlake " PLAYLAKE_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "Log verbosity on stderr")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  cli::CommandBody selected;
  cli::AddInitCommand(app, selected);
  cli::AddGenerateCommand(app, selected);
  cli::AddBuildCommands(app, selected);
  cli::AddServeCommand(app, selected);
  cli::AddRunCommands(app, selected);
  cli::AddScheduleCommand(app, selected);
  cli::AddIngestCommand(app, selected);
  cli::AddSqlCommand(app, selected);
  cli::AddVacuumCommand(app, selected);
  cli::AddStreamCommand(app, selected);
  cli::AddCompactCommand(app, selected);
  cli::AddSpotifyCommand(app, selected);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  spdlog::set_level(spdlog::level::from_str(log_level));
  if (!selected) return 2;
  const Status status = selected();
  if (!status) {
    spdlog::error("{}", status.error().message);
    return ExitCodeFor(status.error().code);
  }
  return 0;
}
