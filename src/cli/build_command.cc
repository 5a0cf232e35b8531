// playlake build | test | snapshot | docs: the dbt-compatible model runner.
//
// Each command loads playlake.yml (--project) and takes the one build path,
// pipeline::BuildGold (the model project it names with `models:` or --models,
// the warehouse file, models::Runner, the dashboard check); this file keeps
// the flags and the exit codes. Progress lines go to stderr; with --json the
// run results go to stdout. Artifacts land in <project>/target/.
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "cli/command.h"
#include "common/rfc3339.h"
#include "config/project.h"
#include "models/artifacts.h"
#include "models/graph.h"
#include "models/project.h"
#include "pipeline/gold_build.h"

namespace playlake::cli {
namespace {

struct ModelFlags {
  std::string project = ".";
  std::string models;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::vector<std::string> sources;  // "source.table=SQL"
  std::string vars;
  int threads = 0;
  bool full_refresh = false;
  bool json = false;
};

void AddCommonFlags(CLI::App& cmd, ModelFlags& f, bool selectable) {
  cmd.add_option("--project", f.project, "Folder holding playlake.yml")->capture_default_str();
  cmd.add_option("--models", f.models, "Model project folder (default: `models:` in playlake.yml)");
  cmd.add_option("--vars", f.vars, "YAML map overriding the project's vars, e.g. \"{days: 7}\"");
  if (!selectable) return;
  cmd.add_option(
      "-s,--select", f.select,
      "Nodes to run: name, +name (and ancestors), name+ (and descendants), tag:x, path:dir, "
      "source:s; space-separated = union, comma-joined = intersection (as in dbt)");
  cmd.add_option("--exclude", f.exclude, "Nodes to leave out, same syntax as --select");
  cmd.add_option("--threads", f.threads,
                 "Parallel workers (default: `threads:` in playlake.yml, 0 = all cores)")
      ->check(CLI::Range(0, 1024));
  cmd.add_option("--source", f.sources,
                 "Map a source to a relation: silver.plays=my_view or "
                 "silver.plays=\"read_parquet('x/*.parquet')\"");
  cmd.add_flag("--json", f.json, "Print run_results.json to stdout");
}

struct Loaded {
  config::ProjectConfig config;
  models::Project project;
};

Result<Loaded> LoadAll(const ModelFlags& f) {
  auto config = config::LoadProject(f.project);
  if (!config) return tl::unexpected(config.error());
  std::filesystem::path dir = f.models.empty() ? config->models : std::filesystem::path(f.models);
  if (dir.empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}/playlake.yml has no `models:` folder; set one or pass --models DIR",
                            config->root.string()));
  }
  models::LoadOptions options;
  if (!f.vars.empty()) {
    auto vars = models::ParseVars(f.vars);
    if (!vars) return tl::unexpected(vars.error());
    options.vars = std::move(*vars);
  }
  options.vars = pipeline::ModelVars(*config, std::move(options.vars));
  auto project = models::Project::Load(dir, options);
  if (!project) return tl::unexpected(project.error());
  return Loaded{std::move(*config), std::move(*project)};
}

Status RunCommand(const std::string& command, const ModelFlags& f) {
  auto config = config::LoadProject(f.project);
  if (!config) return tl::unexpected(config.error());
  pipeline::GoldBuildOptions options;
  options.command = command;
  options.selection = {f.select, f.exclude};
  options.models_dir = f.models;
  options.threads = f.threads;
  options.full_refresh = f.full_refresh;
  options.process_ends_after = true;
  options.progress = [](const std::string& line) { fmt::print(stderr, "{}\n", line); };
  if (!f.vars.empty()) {
    auto vars = models::ParseVars(f.vars);
    if (!vars) return tl::unexpected(vars.error());
    options.vars = std::move(*vars);
  }
  for (const std::string& mapping : f.sources) {
    const std::size_t eq = mapping.find('=');
    if (eq == std::string::npos || mapping.find('.') > eq) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("--source '{}': expected source.table=relation", mapping));
    }
    options.source_relations[mapping.substr(0, eq)] = mapping.substr(eq + 1);
  }
  auto build = pipeline::BuildGold(*config, options);
  if (!build) return tl::unexpected(build.error());
  const models::RunResults& results = build->results;
  if (f.json) fmt::print("{}\n", models::RunResultsJson(results));
  const std::string where = (config->root / "target" / "run_results.json").string();
  if (results.HasErrors()) {
    return Fail(results.FailureCode(),
                fmt::format("{} node(s) failed with an error; details in {}",
                            results.Count(models::NodeStatus::kError), where));
  }
  if (!build->dashboard) return build->dashboard;
  if (results.HasTestFailures()) {
    return Fail(ErrorCode::kTestFailed,
                fmt::format("{} data test(s) failed; details in {}",
                            results.Count(models::NodeStatus::kFail), where));
  }
  return {};
}

Status Docs(const ModelFlags& f) {
  auto loaded = LoadAll(f);
  if (!loaded) return tl::unexpected(loaded.error());
  auto graph = models::Graph::Build(loaded->project);
  if (!graph) return tl::unexpected(graph.error());
  const auto target = loaded->config.root / "target";
  if (auto s = models::WriteDocs(target, loaded->project, *graph,
                                 FormatRfc3339(std::chrono::system_clock::now()));
      !s) {
    return s;
  }
  spdlog::info("wrote {}, lineage.json and lineage.dot", (target / "manifest.json").string());
  return {};
}

void AddRunnerCommand(CLI::App& app, CommandBody& selected, const std::string& name,
                      const std::string& help) {
  auto* cmd = app.add_subcommand(name, help);
  auto flags = std::make_shared<ModelFlags>();
  AddCommonFlags(*cmd, *flags, true);
  if (name == "build") {
    cmd->add_flag("--full-refresh", flags->full_refresh, "Rebuild incremental models from scratch");
  }
  cmd->callback(
      [&selected, flags, name] { selected = [flags, name] { return RunCommand(name, *flags); }; });
}

}  // namespace

void AddBuildCommands(CLI::App& app, CommandBody& selected) {
  AddRunnerCommand(
      app, selected, "build",
      "Build seeds, models and snapshots and run their tests in dependency order (like dbt build); "
      "a failing test skips what depends on it; then checks the dashboard's queries (the project's "
      "exposures) against the new warehouse. Exit 7 when a test fails, 6 when a node errors, 3 "
      "when a dashboard query reads a missing table or column");
  AddRunnerCommand(app, selected, "test",
                   "Run the data tests (schema .yml tests and tests/*.sql); exit 7 when one fails");
  AddRunnerCommand(app, selected, "snapshot", "Run the snapshots (SCD2 history tables)");
  auto* docs =
      app.add_subcommand("docs", "Write target/manifest.json, lineage.json and lineage.dot");
  auto flags = std::make_shared<ModelFlags>();
  AddCommonFlags(*docs, *flags, false);
  docs->callback([&selected, flags] { selected = [flags] { return Docs(*flags); }; });
}

}  // namespace playlake::cli
