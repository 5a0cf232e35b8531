// Runs a Project against a DuckDB warehouse: the C++ API behind
// `playlake build|test|snapshot|docs` and the batch runner (`playlake run`).
//
//   auto project = models::Project::Load(dir);              // parse, validate
//   models::Runner runner(*project, *database, options);
//   auto results = runner.Build({.select = {"+fct_plays"}}); // DAG order, in parallel
//
// Scheduling: the selected nodes run in dependency order on `threads` workers,
// each with its own Connection. A node starts when every selected node it
// depends on has finished; when one of them errored, failed (a test at
// severity error) or was skipped, it is skipped instead. In Build, tests run
// before the children of the nodes they test (Graph::AddTestEdges), so a
// failing test skips what is built on bad data, as `dbt build` does.
//
// Errors: node failures are not Errors; they are statuses in RunResults (see
// RunResults::HasErrors/HasTestFailures). The Result is an Error only when the
// run cannot start or finish: a bad selector (kInvalidArgument), a dependency
// cycle (kConfig), no connection (kWarehouse), artifacts not writable (kIo).
//
// Tests of incremental models: in Build, a model built incrementally keeps
// the rows it gained in a table of their own (NewRowsRelation) until the
// command ends, and its generic tests check those rows (a `unique` test looks
// for their keys among all rows) unless options.whole_table_tests is set.
//
// Unchanged inputs (options.keep_unchanged): a node whose compiled SQL and
// inputs are those it last succeeded with is reported as kept (success or
// pass, NodeResult::kept) without running; see BuildState. An incremental
// model whose SQL no longer binds against its table (one an older Playlake
// built) is rebuilt in full, with a progress line saying so. So is every
// incremental model of a warehouse another DuckDB version built (stored
// hash() values), until a complete build records this version.
//
// Artifacts (when options.target_dir is set): run_results.json, manifest.json,
// lineage.json and lineage.dot after every command, openlineage.jsonl
// appended per node.
//
// Thread safety: one command at a time per Runner. `project` and `database`
// must outlive the Runner.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "models/compiler.h"
#include "models/project.h"
#include "models/results.h"
#include "warehouse/duckdb.h"

namespace playlake::models {

struct RunnerOptions {
  int threads = 1;            // workers, each with a Connection; >= 1
  bool full_refresh = false;  // rebuild incremental models from scratch
  // In Build, a generic test of a model this command built incrementally checks
  // only the rows the model gained (Compiler::TestQuery's new_rows); true: every
  // row, as dbt does. Full refreshes and Test always check every row.
  bool whole_table_tests = false;
  std::filesystem::path target_dir;  // empty: write no artifacts
  // source('s','t') -> relation SQL, for sources the caller provides (e.g. views
  // over silver Parquet it registered before the run, or read_parquet(...)).
  SourceRelations source_relations;
  // Keep nodes whose inputs did not change since they last succeeded
  // (models, snapshots; tests in Build when only new rows are checked), and
  // remember what each node was built from in the warehouse (BuildState).
  // full_refresh still records but keeps nothing.
  bool keep_unchanged = false;
  // With keep_unchanged: "schema.identifier" of a source relation -> a text
  // that changes whenever its data does (for silver, its view's file list).
  // Nodes reading a source without one are never kept.
  std::map<std::string, std::string> source_versions;
  // SQL run once on every worker connection before any node (e.g. SET, LOAD,
  // CREATE TEMP VIEW). Empty: nothing.
  std::string connection_setup;
  // Called with each progress line (no newline), from any worker thread but
  // never concurrently. Empty: silent.
  std::function<void(const std::string&)> progress;
  // Called, as progress is, with each line that says why the build does more
  // than its new data needs (a model rebuilt in full, a warehouse another
  // DuckDB built). Empty: they go to progress.
  std::function<void(const std::string&)> notice;
  // Injected for tests; defaults: the system clock and random v4 UUIDs. Both
  // are called from worker threads concurrently and must be thread-safe.
  std::function<std::chrono::system_clock::time_point()> clock;
  std::function<std::string()> new_uuid;
  std::string lineage_namespace;  // OpenLineage job namespace; default: the project name
  std::string warehouse_name;     // dataset namespace is "duckdb://<warehouse_name>"
};

struct Selection {
  std::vector<std::string> select;  // empty: everything
  std::vector<std::string> exclude;
};

class Runner {
 public:
  Runner(const Project& project, warehouse::Database& database, RunnerOptions options);
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Seeds, models, snapshots and tests in DAG order (dbt build).
  Result<RunResults> Build(const Selection& selection);
  // Models only (dbt run).
  Result<RunResults> Run(const Selection& selection);
  // Tests only.
  Result<RunResults> Test(const Selection& selection);
  // Snapshots only.
  Result<RunResults> Snapshot(const Selection& selection);

 private:
  struct Schedule;
  Result<RunResults> Execute(const std::string& command, const std::set<NodeType>& types,
                             const Selection& selection);
  NodeResult ExecuteNode(warehouse::Connection& conn, const Node& node, Schedule& schedule,
                         int thread_id);
  void Worker(warehouse::Connection& conn, Schedule& schedule, int thread_id);
  void Report(Schedule& schedule, const std::string& line);
  // A line for RunnerOptions::notice (progress when there is none).
  void Notice(Schedule& schedule, const std::string& line);
  std::string Now() const;  // ISO 8601 UTC

  const Project& project_;
  warehouse::Database& database_;
  RunnerOptions options_;
  Compiler compiler_;
};

// "1 of 5 OK created sql table model main.x ........ [OK in 0.12s]": pads with
// dots to a fixed width, like dbt.
std::string ProgressLine(int index, int total, const std::string& what, const std::string& status);

}  // namespace playlake::models
