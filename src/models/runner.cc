#include "models/runner.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <queue>
#include <random>
#include <thread>

#include "common/rfc3339.h"
#include "models/artifacts.h"
#include "models/build_state.h"
#include "models/graph.h"
#include "models/materialize.h"
#include "models/openlineage.h"
#include "models/snapshot.h"

namespace playlake::models {
namespace {

using Clock = std::chrono::system_clock;

std::string SqlTime(Clock::time_point t) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
  return fmt::format("{:%Y-%m-%d %H:%M:%S}.{:06d}", std::chrono::floor<std::chrono::seconds>(t),
                     micros);
}

bool Blocks(NodeStatus status) {
  return status == NodeStatus::kError || status == NodeStatus::kFail ||
         status == NodeStatus::kSkipped;
}

std::string Describe(const Node& node) {
  const std::string relation = node.schema + "." + node.alias;
  switch (node.type) {
    case NodeType::kModel:
      return fmt::format("sql {} model {}", MaterializationName(node.materialized), relation);
    case NodeType::kSeed:
      return "seed file " + relation;
    case NodeType::kSnapshot:
      return "snapshot " + relation;
    case NodeType::kTest:
      return "test " + node.name;
  }
  return node.name;
}

// For a node that failed: the models it reads that the command did not
// select and the warehouse did not hold when it began (a `--select x` on a
// new warehouse, whose parents were never built), as a hint to build them.
std::string MissingParentsHint(const Project& project, const Node& node,
                               const std::map<std::string, std::size_t>& selected,
                               const Relations& relations) {
  std::string missing;
  for (const std::string& dep : node.depends_on) {
    const Node* parent = project.FindNode(dep);
    if (!parent || parent->materialized == Materialization::kEphemeral || selected.count(dep) ||
        relations.Find(parent->schema, parent->alias) != RelationKind::kMissing) {
      continue;
    }
    missing += (missing.empty() ? "" : ", ") + parent->schema + "." + parent->alias;
  }
  if (missing.empty()) return {};
  return fmt::format(
      "\n  (it reads {}, which this command did not select and the warehouse does not hold: "
      "select +{} to build what it reads too)",
      missing, node.name);
}

}  // namespace

const char* NodeStatusName(NodeStatus status) {
  switch (status) {
    case NodeStatus::kSuccess:
      return "success";
    case NodeStatus::kError:
      return "error";
    case NodeStatus::kSkipped:
      return "skipped";
    case NodeStatus::kPass:
      return "pass";
    case NodeStatus::kFail:
      return "fail";
    case NodeStatus::kWarn:
      return "warn";
  }
  return "error";
}

int RunResults::Count(NodeStatus status) const {
  int n = 0;
  for (const NodeResult& r : results) n += r.status == status;
  return n;
}

ErrorCode RunResults::FailureCode() const {
  for (const auto& r : results) {
    if (r.status == NodeStatus::kError) return r.error_code;
  }
  return ErrorCode::kTestFailed;
}

const NodeResult* RunResults::Find(const std::string& unique_id) const {
  for (const NodeResult& r : results) {
    if (r.unique_id == unique_id) return &r;
  }
  return nullptr;
}

std::string ProgressLine(int index, int total, const std::string& what, const std::string& status) {
  std::string line = fmt::format("{} of {} {} ", index, total, what);
  constexpr std::size_t kWidth = 80;
  if (line.size() < kWidth) line.append(kWidth - line.size(), '.');
  return line + " [" + status + "]";
}

// Shared state of one command's workers; guarded by `mutex`.
struct Runner::Schedule {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, std::size_t> order;                  // topological rank
  std::map<std::string, std::size_t> waiting;                // unfinished selected parents
  std::map<std::string, std::vector<std::string>> children;  // among selected nodes
  std::map<std::string, std::string> skip_reason;
  std::priority_queue<std::pair<std::size_t, std::string>,
                      std::vector<std::pair<std::size_t, std::string>>, std::greater<>>
      ready;
  std::size_t total = 0;
  std::size_t finished = 0;
  int started = 0;
  RunResults results;
  // Incremental models built in this command: the tables of their new rows,
  // by unique_id (built without error), and every such table to drop at the end.
  std::map<std::string, std::string> new_rows;
  std::set<std::string> new_rows_tables;
  std::optional<BuildState> state;  // with options.keep_unchanged
  bool full_refresh = false;        // options.full_refresh, or another DuckDB built the warehouse
  Relations relations;              // the warehouse's tables and views when the command began
  std::mutex output;                // serialises progress lines and lineage events
  OpenLineageWriter* lineage = nullptr;
};

namespace {

// The DuckDB version that last completed a whole build of the warehouse.
constexpr const char* kEngineTable = "playlake_runner.engine";

// This DuckDB's version, as an expression over pragma_version().
constexpr const char* kEngineVersion = "'DuckDB ' || library_version";

Result<std::string> CurrentEngine(warehouse::Connection& conn) {
  return conn.QueryScalar(fmt::format("SELECT {} FROM pragma_version()", kEngineVersion));
}

// The version kEngineTable records; empty when the table does not exist.
Result<std::string> RecordedEngine(warehouse::Connection& conn, const Relations& relations) {
  if (relations.Find(BuildState::kSchema, "engine") == RelationKind::kMissing) return std::string();
  return conn.QueryScalar(fmt::format("SELECT version FROM {}", kEngineTable));
}

Status RecordEngine(warehouse::Connection& conn) {
  return conn.Execute(
      fmt::format("CREATE SCHEMA IF NOT EXISTS {}; CREATE OR REPLACE TABLE {} AS "
                  "SELECT {} AS version FROM pragma_version()",
                  BuildState::kSchema, kEngineTable, kEngineVersion));
}

}  // namespace

Runner::Runner(const Project& project, warehouse::Database& database, RunnerOptions options)
    : project_(project),
      database_(database),
      options_(std::move(options)),
      compiler_(project_, options_.source_relations) {
  if (!options_.clock) options_.clock = [] { return Clock::now(); };
  if (!options_.new_uuid) {
    // Workers ask for run ids concurrently; the engine is shared, so it is locked.
    struct Random {
      std::mutex mutex;
      std::mt19937_64 engine{std::random_device{}()};
    };
    auto random = std::make_shared<Random>();
    options_.new_uuid = [random] {
      std::lock_guard lock(random->mutex);
      const uint64_t a = random->engine(), b = random->engine();
      return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff,
                         a & 0xfff, ((b >> 48) & 0x3fff) | 0x8000, b & 0xffffffffffffULL);
    };
  }
  if (options_.threads < 1) options_.threads = 1;
  // A source the caller replaced reads another relation than the one versioned.
  for (const auto& [id, source] : project_.sources()) {
    if (options_.source_relations.count(source.source_name + "." + source.name))
      options_.source_versions.erase(source.schema + "." + source.identifier);
  }
  if (options_.lineage_namespace.empty()) options_.lineage_namespace = project_.name();
}

std::string Runner::Now() const { return FormatRfc3339(options_.clock(), SubSeconds::kMicros); }

Result<RunResults> Runner::Build(const Selection& s) {
  return Execute("build", {NodeType::kSeed, NodeType::kModel, NodeType::kSnapshot, NodeType::kTest},
                 s);
}
Result<RunResults> Runner::Run(const Selection& s) { return Execute("run", {NodeType::kModel}, s); }
Result<RunResults> Runner::Test(const Selection& s) {
  return Execute("test", {NodeType::kTest}, s);
}
Result<RunResults> Runner::Snapshot(const Selection& s) {
  return Execute("snapshot", {NodeType::kSnapshot}, s);
}

void Runner::Report(Schedule& schedule, const std::string& line) {
  if (!options_.progress) return;
  std::lock_guard lock(schedule.output);
  options_.progress(line);
}

void Runner::Notice(Schedule& schedule, const std::string& line) {
  if (!options_.notice) return Report(schedule, line);
  std::lock_guard lock(schedule.output);
  options_.notice(line);
}

Result<RunResults> Runner::Execute(const std::string& command, const std::set<NodeType>& types,
                                   const Selection& selection) {
  const auto start = std::chrono::steady_clock::now();
  auto graph = Graph::Build(project_);
  if (!graph) return tl::unexpected(graph.error());
  if (command == "build") graph->AddTestEdges(project_);
  auto chosen = SelectNodes(project_, *graph, selection.select, selection.exclude);
  if (!chosen) return tl::unexpected(chosen.error());

  auto runs = [&](const std::string& id) {
    const Node* node = project_.FindNode(id);
    return node && types.count(node->type) &&
           !(node->type == NodeType::kModel && node->materialized == Materialization::kEphemeral);
  };
  Schedule schedule;
  schedule.results.command = command;
  schedule.results.invocation_id = options_.new_uuid();
  for (std::size_t i = 0; i < graph->Order().size(); ++i) {
    const std::string& id = graph->Order()[i];
    if (chosen->count(id) && runs(id)) schedule.order[id] = i;
  }
  // A node waits for the selected nodes upstream of it, looking through
  // ephemeral models (they run inside their dependants).
  for (const auto& [id, rank] : schedule.order) {
    std::set<std::string> deps;
    std::vector<std::string> stack(graph->Parents(id).begin(), graph->Parents(id).end());
    while (!stack.empty()) {
      const std::string parent = stack.back();
      stack.pop_back();
      const Node* p = project_.FindNode(parent);
      if (p && p->type == NodeType::kModel && p->materialized == Materialization::kEphemeral) {
        stack.insert(stack.end(), graph->Parents(parent).begin(), graph->Parents(parent).end());
      } else if (schedule.order.count(parent)) {
        deps.insert(parent);
      }
    }
    schedule.waiting[id] = deps.size();
    for (const std::string& dep : deps) schedule.children[dep].push_back(id);
    if (deps.empty()) schedule.ready.push({rank, id});
  }
  schedule.total = schedule.order.size();

  // Schemas are created up front, serially: concurrent CREATE SCHEMA on
  // several connections would conflict in DuckDB's catalog.
  auto main_conn = database_.Connect();
  if (!main_conn) return tl::unexpected(main_conn.error());
  std::set<std::string> schemas;
  for (const auto& [id, rank] : schedule.order) {
    const Node& node = *project_.FindNode(id);
    if (node.type != NodeType::kTest) schemas.insert(node.schema);
  }
  for (const std::string& schema : schemas) {
    if (auto s = (*main_conn)
                     ->Execute("CREATE SCHEMA IF NOT EXISTS " + warehouse::QuoteIdentifier(schema));
        !s) {
      return tl::unexpected(s.error());
    }
  }
  if (auto s = AttachNewRows(**main_conn, schemas); !s) return tl::unexpected(s.error());

  std::filesystem::path lineage_file;
  if (!options_.target_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(options_.target_dir, ec);
    if (ec) {
      return Fail(ErrorCode::kIo,
                  fmt::format("cannot create {}: {}", options_.target_dir.string(), ec.message()));
    }
    lineage_file = options_.target_dir / "openlineage.jsonl";
  }
  OpenLineageWriter lineage(lineage_file);
  schedule.lineage = &lineage;
  auto relations = Relations::Read(**main_conn);
  if (!relations) return tl::unexpected(relations.error());
  schedule.relations = std::move(*relations);
  // Models keep values of DuckDB's hash() (track_key, play_key, ...), which a
  // DuckDB release may change: a warehouse another version built would mix
  // two hash functions, so a build rebuilds every incremental model in full
  // (and keeps nothing) until one whole build has run on this version.
  const bool builds_models = command == "build" || command == "run";
  std::string recorded, engine;  // DuckDB versions, read by the commands that build models
  if (builds_models) {
    auto r = RecordedEngine(**main_conn, schedule.relations);
    if (!r) return tl::unexpected(r.error());
    auto e = CurrentEngine(**main_conn);
    if (!e) return tl::unexpected(e.error());
    recorded = std::move(*r);
    engine = std::move(*e);
  }
  schedule.full_refresh = options_.full_refresh;
  if (!recorded.empty() && recorded != engine) {
    schedule.full_refresh = true;
    Notice(schedule, fmt::format("The warehouse was built with {}; this is {}: rebuilding "
                                 "incremental models in full.",
                                 recorded, engine));
  }
  if (options_.keep_unchanged) {
    auto state = BuildState::Load(**main_conn);
    if (!state) return tl::unexpected(state.error());
    schedule.state = std::move(*state);
  }

  const int workers = static_cast<int>(
      std::min<std::size_t>(options_.threads, std::max<std::size_t>(1, schedule.total)));
  std::vector<std::unique_ptr<warehouse::Connection>> connections;
  for (int i = 0; i < workers; ++i) {
    auto conn = database_.Connect();
    if (!conn) return tl::unexpected(conn.error());
    if (!options_.connection_setup.empty()) {
      if (auto s = (*conn)->Execute(options_.connection_setup); !s) {
        return Fail(ErrorCode::kWarehouse, "connection_setup failed: " + s.error().message);
      }
    }
    connections.push_back(std::move(*conn));
  }
  {
    std::vector<std::jthread> threads;
    for (int i = 0; i < workers; ++i) {
      threads.emplace_back(
          [this, &schedule, &connections, i] { Worker(*connections[i], schedule, i + 1); });
    }
  }

  if (schedule.state) {
    if (auto s = schedule.state->Save(**main_conn); !s) return tl::unexpected(s.error());
  }
  for (const std::string& table : schedule.new_rows_tables) {
    if (auto s = (*main_conn)->Execute("DROP TABLE IF EXISTS " + table); !s) {
      return tl::unexpected(s.error());
    }
  }
  // Only a complete build records the version: nothing deselected, and nothing
  // failed (a skip always follows an error or a failure).
  const bool whole_build = builds_models && selection.select.empty() && selection.exclude.empty() &&
                           !schedule.results.HasErrors() && !schedule.results.HasTestFailures();
  if (whole_build && recorded != engine) {
    if (auto s = RecordEngine(**main_conn); !s) return tl::unexpected(s.error());
  }
  RunResults results = std::move(schedule.results);
  results.elapsed_time =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  results.generated_at = Now();
  int pass = results.Count(NodeStatus::kSuccess) + results.Count(NodeStatus::kPass);
  int error = results.Count(NodeStatus::kError) + results.Count(NodeStatus::kFail);
  if (options_.progress) {
    options_.progress(fmt::format("Finished running {} nodes in {:.2f}s.", results.results.size(),
                                  results.elapsed_time));
    options_.progress(fmt::format("Done. PASS={} WARN={} ERROR={} SKIP={} TOTAL={}", pass,
                                  results.Count(NodeStatus::kWarn), error,
                                  results.Count(NodeStatus::kSkipped), results.results.size()));
  }
  if (!options_.target_dir.empty()) {
    if (auto s = WriteRunResults(options_.target_dir, results); !s)
      return tl::unexpected(s.error());
    if (auto s = WriteDocs(options_.target_dir, project_, *graph, results.generated_at); !s) {
      return tl::unexpected(s.error());
    }
  }
  return results;
}

void Runner::Worker(warehouse::Connection& conn, Schedule& schedule, int thread_id) {
  while (true) {
    std::string id;
    std::string skip_reason;
    int index = 0;
    {
      std::unique_lock lock(schedule.mutex);
      schedule.changed.wait(
          lock, [&] { return !schedule.ready.empty() || schedule.finished == schedule.total; });
      if (schedule.ready.empty()) return;
      id = schedule.ready.top().second;
      schedule.ready.pop();
      index = ++schedule.started;
      if (auto it = schedule.skip_reason.find(id); it != schedule.skip_reason.end())
        skip_reason = it->second;
    }
    const Node& node = *project_.FindNode(id);
    NodeResult result;
    if (!skip_reason.empty()) {
      result.unique_id = id;
      result.status = NodeStatus::kSkipped;
      result.message = skip_reason;
      Report(schedule, ProgressLine(index, static_cast<int>(schedule.total),
                                    "SKIP " + Describe(node), "SKIP"));
    } else {
      Report(schedule, ProgressLine(index, static_cast<int>(schedule.total),
                                    "START " + Describe(node), "RUN"));
      result = ExecuteNode(conn, node, schedule, thread_id);
      const std::string time = fmt::format("{:.2f}s", result.execution_time);
      std::string what, status;
      switch (result.status) {
        case NodeStatus::kSuccess:
          what = (result.kept                        ? "OK kept "
                  : node.type == NodeType::kSnapshot ? "OK snapshotted "
                  : node.type == NodeType::kSeed     ? "OK loaded "
                                                     : "OK created ") +
                 Describe(node);
          status = "OK in " + time;
          break;
        case NodeStatus::kPass:
          what = "PASS " + node.name;
          status = "PASS in " + time;
          break;
        case NodeStatus::kWarn:
          what = fmt::format("WARN {} {}", result.failures, node.name);
          status = fmt::format("WARN {} in {}", result.failures, time);
          break;
        case NodeStatus::kFail:
          what = fmt::format("FAIL {} {}", result.failures, node.name);
          status = fmt::format("FAIL {} in {}", result.failures, time);
          break;
        default:
          what = "ERROR creating " + Describe(node);
          status = "ERROR in " + time;
          break;
      }
      Report(schedule, ProgressLine(index, static_cast<int>(schedule.total), what, status));
      if (result.status == NodeStatus::kError) Report(schedule, "  " + result.message);
    }
    std::lock_guard lock(schedule.mutex);
    if (Blocks(result.status)) {
      const std::string reason =
          result.status == NodeStatus::kSkipped
              ? result.message
              : fmt::format("skipped because {} {}", id,
                            result.status == NodeStatus::kFail ? "failed" : "errored");
      for (const std::string& child : schedule.children[id])
        schedule.skip_reason.emplace(child, reason);
    }
    for (const std::string& child : schedule.children[id]) {
      if (--schedule.waiting[child] == 0) schedule.ready.push({schedule.order[child], child});
    }
    schedule.results.results.push_back(std::move(result));
    ++schedule.finished;
    schedule.changed.notify_all();
  }
}

NodeResult Runner::ExecuteNode(warehouse::Connection& conn, const Node& node, Schedule& schedule,
                               int thread_id) {
  NodeResult r;
  r.unique_id = node.unique_id;
  r.thread_id = thread_id;
  r.started_at = Now();
  const auto begin = std::chrono::steady_clock::now();
  const bool writes = node.type != NodeType::kTest;
  if (writes) r.relation = Compiler::RelationOf(node);

  // OpenLineage: the node is a job; it reads its parents and writes its relation.
  LineageEvent event;
  event.run_id = options_.new_uuid();
  event.job_namespace = options_.lineage_namespace;
  event.job_name = node.unique_id;
  const std::string dataset_namespace = "duckdb://" + options_.warehouse_name;
  for (const std::string& dep : node.depends_on) {
    if (const Node* p = project_.FindNode(dep)) {
      event.inputs.push_back({dataset_namespace, p->schema + "." + p->alias});
    } else if (auto it = project_.sources().find(dep); it != project_.sources().end()) {
      event.inputs.push_back({dataset_namespace, it->second.schema + "." + it->second.identifier});
    }
  }
  if (writes) event.outputs.push_back({dataset_namespace, node.schema + "." + node.alias});
  auto emit = [&](const char* type, const std::string& error) {
    event.event_type = type;
    event.event_time = Now();
    event.error_message = error;
    if (auto s = schedule.lineage->Emit(event); !s && options_.progress)
      Report(schedule, "warning: " + s.error().message);
  };
  if (writes) emit("START", "");

  Result<Materialized> done = Materialized{};
  Result<std::string> sql = std::string();
  std::optional<std::string> inputs;  // with a state: the digest of what the node runs from
  bool same_output = false;           // an incremental build that changed nothing
  // True when the node ran last from the inputs of `canonical_sql` and may be kept.
  auto unchanged = [&](const std::string& canonical_sql, bool may_keep) {
    if (!schedule.state) return false;
    std::lock_guard lock(schedule.mutex);
    inputs = schedule.state->Inputs(project_, node, canonical_sql, options_.source_versions);
    if (!may_keep || schedule.full_refresh || !inputs) return false;
    return schedule.state->Unchanged(node.unique_id, *inputs);
  };
  // Keeps the node (sets `done`) when its inputs are unchanged and its relation is still there.
  // The node's relation as the command began: no other node changes it.
  const RelationKind existing = schedule.relations.Find(node.schema, node.alias);
  auto keep = [&](const std::string& canonical_sql) {
    if (!unchanged(canonical_sql, true) || existing == RelationKind::kMissing) return false;
    r.kept = true;
    done = Materialized{-1, "kept: its inputs are those of its last build"};
    return true;
  };
  switch (node.type) {
    case NodeType::kSeed:
      done = LoadSeed(conn, node);
      break;
    case NodeType::kSnapshot:
      sql = compiler_.Compile(node, false);
      if (!sql || keep(*sql)) break;
      done = RunSnapshot(conn, node, *sql, SqlTime(options_.clock()));
      break;
    case NodeType::kModel: {
      bool incremental = node.materialized == Materialization::kIncremental &&
                         !schedule.full_refresh && existing == RelationKind::kTable;
      sql = compiler_.Compile(node, incremental);
      if (!sql || keep(*sql)) break;
      SchemaChange change;
      if (incremental) {
        {
          std::lock_guard lock(schedule.mutex);
          schedule.new_rows_tables.insert(NewRowsRelation(node));
        }
        Status staged = StageNewRows(conn, node, *sql);
        Result<SchemaChange> compared = staged
                                            ? CompareColumns(conn, node)
                                            : Result<SchemaChange>(tl::unexpected(staged.error()));
        if (!compared && compared.error().message.starts_with("Binder Error")) {
          // A table an older Playlake built may lack a column the incremental
          // SQL reads; a full build makes the table it expects.
          Notice(schedule,
                 fmt::format("{}: its incremental SQL does not bind against the existing table "
                             "(built by an older version?); rebuilding it in full. {}",
                             node.name, compared.error().message.substr(0, 200)));
          incremental = false;
          sql = compiler_.Compile(node, false);
          if (!sql) break;
        } else if (!compared) {
          done = tl::unexpected(compared.error());
          break;
        } else {
          change = std::move(*compared);
        }
      }
      using Change = Node::OnSchemaChange;
      if (!change.empty() && node.on_schema_change == Change::kFail) {
        done = Fail(ErrorCode::kWarehouse,
                    fmt::format("the model's columns no longer match its table's ({}) and "
                                "on_schema_change is 'fail': run with --full-refresh",
                                change.Describe()));
        break;
      }
      // A column of another type cannot take the new rows as they are (DuckDB
      // would cast them to the stored type, or fail), whatever
      // on_schema_change says short of 'fail'.
      if (!change.empty() &&
          (node.on_schema_change == Change::kFullRefresh || !change.retyped.empty())) {
        Notice(schedule, fmt::format("{}: its columns changed ({}); rebuilding it in full",
                                     node.name, change.Describe()));
        incremental = false;  // rebuilt in full from its inputs, as --full-refresh would
        sql = compiler_.Compile(node, false);
        if (!sql) break;
      }
      if (incremental) {
        done = BuildIncremental(conn, node, change);
        same_output = done && done->rows == 0 && change.empty();
        if (done && !options_.whole_table_tests) {
          std::lock_guard lock(schedule.mutex);
          schedule.new_rows[node.unique_id] = NewRowsRelation(node);
        }
      } else if (node.materialized == Materialization::kView)
        done = BuildView(conn, node, *sql, existing);
      else
        done = BuildTable(conn, node, *sql, existing);
      break;
    }
    case NodeType::kTest: {
      std::string new_rows;
      if (node.generic) {
        std::lock_guard lock(schedule.mutex);
        if (auto it = schedule.new_rows.find(node.generic->target); it != schedule.new_rows.end())
          new_rows = it->second;
      }
      if (schedule.state) {
        // Whether it checked new rows or all, a test passed against its
        // parents' versions holds for them while they are kept.
        auto canonical = compiler_.TestQuery(node);
        if (canonical && unchanged(*canonical, schedule.results.command != "test" &&
                                                   !options_.whole_table_tests)) {
          sql = std::move(canonical);
          r.failures = 0;
          r.kept = true;
          done = Materialized{-1, "PASS (kept: its parents are those it last passed with)"};
          break;
        }
      }
      sql = compiler_.TestQuery(node, new_rows);
      if (!sql) break;
      auto count =
          conn.QueryScalar(fmt::format("select count(*) from (\n{}\n) as dbt_internal_test", *sql));
      if (!count) {
        done = tl::unexpected(count.error());
        break;
      }
      r.failures = std::stoll(*count);
      done = Materialized{
          -1, (r.failures == 0 ? std::string("PASS")
                               : fmt::format("Got {} result(s), expected 0", r.failures)) +
                  (new_rows.empty() ? "" : " (the rows this run added)")};
      break;
    }
  }
  if (sql) r.compiled_code = *sql;
  if (schedule.state && !r.kept) {
    std::lock_guard lock(schedule.mutex);
    if (sql && done && r.failures <= 0) {
      schedule.state->Record(node.unique_id, inputs.value_or(""),
                             node.type == NodeType::kTest ? "" : schedule.results.invocation_id,
                             same_output);
    } else {
      schedule.state->Forget(node.unique_id);
    }
  }
  r.execution_time =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  r.completed_at = Now();
  if (!sql || !done) {
    r.status = NodeStatus::kError;
    const Error& error = !sql ? sql.error() : done.error();
    r.message = error.message;
    // Before the statement the message may end with ("\n  in: ..."), which is long.
    const std::string hint = MissingParentsHint(project_, node, schedule.order, schedule.relations);
    r.message.insert(std::min(r.message.find("\n  in: "), r.message.size()), hint);
    r.error_code = error.code;
    if (writes) emit("FAIL", r.message);
    return r;
  }
  r.message = done->message;
  r.rows_affected = done->rows;
  if (node.type == NodeType::kTest) {
    r.status = r.failures == 0                    ? NodeStatus::kPass
               : node.severity == Severity::kWarn ? NodeStatus::kWarn
                                                  : NodeStatus::kFail;
  } else {
    r.status = NodeStatus::kSuccess;
    emit("COMPLETE", "");
  }
  return r;
}

}  // namespace playlake::models
