// playlake init DIR: scaffolds a project folder.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <filesystem>

#include "cli/command.h"
#include "common/atomic_file.h"
#include "common/input_formats.h"
#include "config/project.h"

namespace playlake::cli {
namespace {

constexpr const char* kProjectTemplate = R"(# Playlake project file. Every key is optional; see docs/project.md.
name: {name}

# Where the lake lives (bronze, silver, gold, _manifests) and the DuckDB warehouse file.
lake: lake
warehouse: warehouse.duckdb

# 0 uses every core.
threads: 0

# Inputs that `playlake run` ingests. Formats:
# {formats}.
sources:
  - name: events
    format: auto
    path: data/events

# `playlake schedule`, and `playlake serve` beside the dashboard, run the pipeline
# at these times (cron: minute hour day month weekday, in UTC). Every hour:
# schedule:
#   cron: "0 * * * *"

# A failed run, and the next run that succeeds, are POSTed as JSON to the URL
# held in this environment variable (unset: no alerts).
alerts:
  webhook_env: PLAYLAKE_ALERT_WEBHOOK

# The dashboard server binds 127.0.0.1 unless told otherwise; any other host
# requires the token held in the environment variable named here.
server:
  host: 127.0.0.1
  port: 8080
  token_env: PLAYLAKE_TOKEN
)";

Status Init(const std::filesystem::path& dir, bool force) {
  const auto file = dir / "playlake.yml";
  std::error_code ec;
  if (std::filesystem::exists(file, ec) && !force) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} already exists; pass --force to overwrite it", file.string()));
  }
  std::filesystem::create_directories(dir / "data" / "events", ec);
  if (ec) {
    return Fail(ErrorCode::kIo, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  }
  const std::string name = std::filesystem::absolute(dir).lexically_normal().filename().string();
  const std::string text = fmt::format(fmt::runtime(kProjectTemplate),
                                       fmt::arg("name", name.empty() ? "playlake" : name),
                                       fmt::arg("formats", InputFormatList(true)));
  if (auto s = WriteFileAtomically(file, text); !s) return s;
  // Prove the scaffold is valid before telling the user it is.
  if (auto config = config::LoadProject(dir); !config) return tl::unexpected(config.error());
  spdlog::info("created project {} (edit {} to add sources)", dir.string(), file.string());
  return {};
}

}  // namespace

void AddInitCommand(CLI::App& app, CommandBody& selected) {
  auto* cmd = app.add_subcommand("init", "Create a project folder with a commented playlake.yml");
  auto dir = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  cmd->add_option("DIR", *dir, "Project folder to create (may exist)")->required();
  cmd->add_flag("--force", *force, "Overwrite an existing playlake.yml");
  cmd->callback([&selected, dir, force] { selected = [dir, force] { return Init(*dir, *force); }; });
}

}  // namespace playlake::cli
