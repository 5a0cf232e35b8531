// Building the gold layer: the one path `playlake build|test|snapshot` and the
// build step of `playlake run` both take.
//
//   1. point the warehouse's `silver` views at the lake's committed batches;
//   2. load the model project and run the runner's command (build: seeds,
//      models, snapshots and tests in DAG order, then docs);
//   3. after a `build` or `run` without errors or failed tests, check that the
//      queries of every exposure that reads a model it built bind on the new
//      warehouse (serve::CheckDashboard): in a full build, every dashboard page;
//      not again when the warehouse's columns and the queries are those of the
//      last check that passed (target/dashboard_check.fingerprint);
//   4. write target/pipeline_status.json (what the pipeline page shows);
//   5. publish the warehouse to readers, tests failed or not: DuckDB's
//      checkpoint vacuums (merges row groups, drops deleted rows) on
//      --full-refresh and at most once an hour (target/vacuum.json).
//
// Errors: what stops the build before it has results (the project does not
// load, the warehouse or lake cannot be opened, a bad selector). Failed
// nodes and a failed dashboard check are in the result, for the caller to
// turn into an exit code or a failed run.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "config/project.h"
#include "models/compiler.h"
#include "models/results.h"
#include "models/runner.h"

namespace playlake::pipeline {

struct GoldBuildOptions {
  std::string command = "build";              // build, run, test or snapshot
  models::Selection selection;                // empty: every node
  std::filesystem::path models_dir;           // empty: `models:` of playlake.yml
  std::map<std::string, models::Value> vars;  // over the project's vars
  models::SourceRelations source_relations;   // source('s','t') -> relation SQL
  int threads = 0;  // 0: `threads:` of playlake.yml; 0 there too: every core
  bool full_refresh = false;
  // The process ends after the build and never builds again: the warehouse is
  // left to its exit once checkpointed (warehouse::Writer::FinishBeforeExit).
  bool process_ends_after = false;
  std::function<void(const std::string&)> progress;  // the runner's progress lines
  std::function<void(const std::string&)> notice;    // the runner's notices (RunnerOptions)
};

struct GoldBuild {
  models::RunResults results;
  // Ok, or Error{kConfig} naming each dashboard page whose query does not
  // bind on the new warehouse (a missing table or column).
  Status dashboard;
};

Result<GoldBuild> BuildGold(const config::ProjectConfig& project, const GoldBuildOptions& options);

// The vars the model project is loaded with, over its own `vars:`: those of
// playlake.yml, then `overrides` (--vars). A project with a source in a
// Sparkify format (eventsim logs, MSD song files) asks for the Sparkify
// tables (`sparkify_tables: true`) unless one of them says otherwise.
std::map<std::string, models::Value> ModelVars(const config::ProjectConfig& project,
                                               std::map<std::string, models::Value> overrides);

// Workers for `requested` threads: `threads:` of playlake.yml when 0, and
// every core when that is 0 too.
int BuildThreads(const config::ProjectConfig& project, int requested = 0);

}  // namespace playlake::pipeline
