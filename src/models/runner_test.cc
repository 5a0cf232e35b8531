// Materializations, data tests, skipping and parallelism, run on an in-memory DuckDB.
#include "models/runner.h"

#include <gtest/gtest.h>

#include "models/test_project.h"
#include "testing/testing.h"

namespace playlake::models {
namespace {

using models::testing::Files;
using models::testing::Scalar;
using models::testing::StatusOf;

// A project folder plus a warehouse; Run() reloads the files each time so a
// test can change a model or a seed between runs.
class Harness {
 public:
  explicit Harness(Files files) : files_(std::move(files)), db_(testing::MemoryDb()) {}

  Result<RunResults> Run(const std::string& command, const Selection& selection = {},
                         RunnerOptions options = {}) {
    auto project = testing::LoadFiles(dir_.path(), files_);
    if (!project) return tl::unexpected(project.error());
    project_ = std::make_unique<Project>(std::move(*project));
    Runner runner(*project_, *db_, std::move(options));
    if (command == "test") return runner.Test(selection);
    if (command == "snapshot") return runner.Snapshot(selection);
    if (command == "run") return runner.Run(selection);
    return runner.Build(selection);
  }
  RunResults MustRun(const std::string& command, const Selection& selection = {},
                     RunnerOptions options = {}) {
    auto r = Run(command, selection, std::move(options));
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RunResults{};
  }
  std::string Scalar(const std::string& sql) { return testing::Scalar(*db_, sql); }
  void Write(const std::string& path, const std::string& text) {
    files_[path] = text;
    testing::WriteFiles(dir_.path(), {{path, text}});
  }
  const std::filesystem::path& dir() const { return dir_.path(); }
  warehouse::Database& db() { return *db_; }

 private:
  playlake::testing::TempDir dir_;
  Files files_;
  std::unique_ptr<warehouse::Database> db_;
  std::unique_ptr<Project> project_;
};

TEST(Materialization, ViewTableAndEphemeral) {
  Harness h({
      {"seeds/raw.csv", "id,amount\n1,10\n2,20\n3,30\n"},
      {"models/base.sql",
       "{{ config(materialized='ephemeral') }}select id, amount * 2 as doubled from {{ ref('raw') "
       "}}"},
      {"models/v.sql",
       "-- leading comment\nwith big as (select * from {{ ref('base') }} where doubled > 20)\n"
       "select * from big;"},
      {"models/t.sql",
       "{{ config(materialized='table') }}select count(*) as n from {{ ref('v') }}"},
  });
  RunResults r = h.MustRun("build");
  EXPECT_EQ(StatusOf(r, "model.shop.v"), "success");
  EXPECT_EQ(StatusOf(r, "model.shop.t"), "success");
  EXPECT_EQ(StatusOf(r, "model.shop.base"), "absent");  // ephemeral: never built
  EXPECT_EQ(h.Scalar("select table_type from information_schema.tables where table_name = 'v'"),
            "VIEW");
  EXPECT_EQ(h.Scalar("select table_type from information_schema.tables where table_name = 't'"),
            "BASE TABLE");
  EXPECT_EQ(h.Scalar("select count(*) from information_schema.tables where table_name = 'base'"),
            "0");
  EXPECT_EQ(h.Scalar("select n from main.t"), "2");
  EXPECT_NE(r.Find("model.shop.v")->compiled_code.find("__dbt__cte__base as ("), std::string::npos);
  EXPECT_EQ(r.Find("model.shop.t")->rows_affected, 1);
}

TEST(Materialization, EphemeralChainsAreInlinedInDependencyOrder) {
  Harness h(Files{
      {"models/e1.sql", "{{ config(materialized='ephemeral') }}select 1 as x"},
      {"models/e2.sql",
       "{{ config(materialized='ephemeral') }}select x + 1 as x from {{ ref('e1') }}"},
      {"models/m.sql", "select a.x + b.x as y from {{ ref('e2') }} a, {{ ref('e1') }} b"},
  });
  RunResults r = h.MustRun("build");
  ASSERT_EQ(StatusOf(r, "model.shop.m"), "success") << r.results[0].message;
  EXPECT_EQ(r.results.size(), 1u);
  EXPECT_EQ(h.Scalar("select y from main.m"), "3");
  const std::string& sql = r.Find("model.shop.m")->compiled_code;
  EXPECT_LT(sql.find("__dbt__cte__e1 as ("), sql.find("__dbt__cte__e2 as ("));
}

TEST(Materialization, AModelWhoseParentWasNeverBuiltSaysWhatToSelect) {
  Harness h(
      Files{{"models/a.sql", "select 1 as x"}, {"models/b.sql", "select x from {{ ref('a') }}"}});
  RunResults alone = h.MustRun("build", Selection{{"b"}, {}});
  EXPECT_EQ(StatusOf(alone, "model.shop.b"), "error");
  const std::string& message = alone.Find("model.shop.b")->message;
  const auto hint = message.find(
      "(it reads main.a, which this command did not select and the warehouse does not hold: "
      "select +b to build what it reads too)");
  EXPECT_NE(hint, std::string::npos) << message;
  EXPECT_LT(hint, message.find("in: ")) << message;  // before the long statement
  EXPECT_EQ(StatusOf(h.MustRun("build", Selection{{"+b"}, {}}), "model.shop.b"), "success");
  // Once a is there, a failure of b does not blame it.
  h.Write("models/b.sql", "select no_such_column from {{ ref('a') }}");
  RunResults broken = h.MustRun("build", Selection{{"b"}, {}});
  EXPECT_EQ(StatusOf(broken, "model.shop.b"), "error");
  EXPECT_EQ(broken.Find("model.shop.b")->message.find("it reads"), std::string::npos);
}

TEST(Materialization, FailedTableBuildKeepsThePreviousTable) {
  Harness h(Files{
      {"models/t.sql", "{{ config(materialized='table') }}select 1 as x union all select 2"}});
  h.MustRun("build");
  ASSERT_EQ(h.Scalar("select sum(x) from main.t"), "3");
  h.Write("models/t.sql", "{{ config(materialized='table') }}select 1 / 0 as x, no_such_column");
  RunResults r = h.MustRun("build");
  EXPECT_EQ(StatusOf(r, "model.shop.t"), "error");
  EXPECT_NE(r.Find("model.shop.t")->message.find("no_such_column"), std::string::npos);
  EXPECT_EQ(h.Scalar("select sum(x) from main.t"), "3");
  EXPECT_EQ(
      h.Scalar("select count(*) from information_schema.tables where table_name like '%tmp%'"),
      "0");
}

TEST(Materialization, SwitchingBetweenViewAndTable) {
  Harness h(Files{{"models/m.sql", "select 1 as x"}});
  h.MustRun("build");
  h.Write("models/m.sql", "{{ config(materialized='table') }}select 2 as x");
  EXPECT_EQ(StatusOf(h.MustRun("build"), "model.shop.m"), "success");
  EXPECT_EQ(
      h.Scalar(
          "select table_type || x from information_schema.tables, main.m where table_name = 'm'"),
      "BASE TABLE2");
  h.Write("models/m.sql", "select 3 as x");
  EXPECT_EQ(StatusOf(h.MustRun("build"), "model.shop.m"), "success");
  EXPECT_EQ(
      h.Scalar(
          "select table_type || x from information_schema.tables, main.m where table_name = 'm'"),
      "VIEW3");
}

constexpr const char* kIncremental =
    "{{ config(materialized='incremental', unique_key='id') }}\n"
    "select id, status, updated_at from {{ ref('events') }}\n"
    "{% if is_incremental() %}\n"
    "where updated_at > (select max(updated_at) from {{ this }})\n"
    "{% endif %}\n";

TEST(Materialization, IncrementalAfterNewDataEqualsAFullRefresh) {
  Harness h({
      {"seeds/events.csv", "id,status,updated_at\n1,new,2024-01-01\n2,new,2024-01-01\n"},
      {"models/orders.sql", kIncremental},
  });
  RunResults first = h.MustRun("build");
  EXPECT_EQ(first.Find("model.shop.orders")->rows_affected, 2);
  // Order 2 changes, order 3 arrives.
  h.Write("seeds/events.csv",
          "id,status,updated_at\n1,new,2024-01-01\n2,shipped,2024-01-02\n3,new,2024-01-02\n");
  RunResults second = h.MustRun("build");
  const NodeResult* incr = second.Find("model.shop.orders");
  ASSERT_TRUE(incr);
  EXPECT_EQ(incr->rows_affected, 2) << incr->message;  // only the new rows were processed
  EXPECT_NE(incr->compiled_code.find("where updated_at >"), std::string::npos);
  EXPECT_EQ(h.Scalar("select count(*) from main.orders"), "3");
  EXPECT_EQ(h.Scalar("select status from main.orders where id = 2"), "shipped");
  ASSERT_EQ(h.Scalar("create table incremental_copy as select * from main.orders; select 1"), "1");

  RunnerOptions full;
  full.full_refresh = true;
  RunResults refreshed = h.MustRun("build", {}, std::move(full));
  EXPECT_EQ(refreshed.Find("model.shop.orders")->compiled_code.find("where updated_at >"),
            std::string::npos);
  EXPECT_EQ(
      h.Scalar(
          "select count(*) from (select * from main.orders except select * from incremental_copy)"),
      "0");
  EXPECT_EQ(
      h.Scalar(
          "select count(*) from (select * from incremental_copy except select * from main.orders)"),
      "0");
  EXPECT_EQ(h.Scalar("select count(*) from main.orders"), "3");
}

TEST(Materialization, IncrementalWithoutUniqueKeyAppends) {
  Harness h({
      {"seeds/events.csv", "id\n1\n2\n"},
      {"models/log.sql",
       "{{ config(materialized='incremental') }}select id from {{ ref('events') }}"
       "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}"},
  });
  h.MustRun("build");
  h.Write("seeds/events.csv", "id\n1\n2\n3\n");
  h.MustRun("build");
  EXPECT_EQ(h.Scalar("select string_agg(id::varchar, ',' order by id) from main.log"), "1,2,3");
}

// Models keep values of DuckDB's hash(), which a DuckDB release may change: a
// warehouse another DuckDB version built has its incremental models rebuilt in
// full by the next whole build, which then records this version; an older
// warehouse without a record is taken as this version's.
TEST(Materialization, AWarehouseAnotherDuckDbBuiltIsRebuiltInFullOnce) {
  Harness h({
      {"seeds/events.csv", "id\n1\n2\n"},
      {"models/log.sql",
       "{{ config(materialized='incremental') }}"
       "select id, {% if is_incremental() %}'added'{% else %}'rebuilt'{% endif %} as how "
       "from {{ ref('events') }}"
       "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}"},
  });
  const std::string hows = "select string_agg(how, ',' order by id) from main.log";
  h.MustRun("build");
  const std::string engine = h.Scalar("select version from playlake_runner.engine");
  EXPECT_EQ(engine.rfind("DuckDB v", 0), 0u) << engine;
  h.Write("seeds/events.csv", "id\n1\n2\n3\n");
  h.MustRun("build");
  EXPECT_EQ(h.Scalar(hows), "rebuilt,rebuilt,added");

  ASSERT_TRUE(h.db().Connect().value()->Execute(
      "update playlake_runner.engine set version = 'DuckDB v0.0.1'"));
  h.Write("seeds/events.csv", "id\n1\n2\n3\n4\n");
  h.MustRun("build", Selection{{"+log"}, {}});  // a selection records nothing
  EXPECT_EQ(h.Scalar(hows), "rebuilt,rebuilt,rebuilt,rebuilt");
  EXPECT_EQ(h.Scalar("select version from playlake_runner.engine"), "DuckDB v0.0.1");
  h.MustRun("build");
  EXPECT_EQ(h.Scalar("select version from playlake_runner.engine"), engine);
  h.Write("seeds/events.csv", "id\n1\n2\n3\n4\n5\n");
  h.MustRun("build");
  EXPECT_EQ(h.Scalar(hows), "rebuilt,rebuilt,rebuilt,rebuilt,added");

  ASSERT_TRUE(h.db().Connect().value()->Execute("drop table playlake_runner.engine"));
  h.Write("seeds/events.csv", "id\n1\n2\n3\n4\n5\n6\n");
  h.MustRun("build");
  EXPECT_EQ(h.Scalar(hows), "rebuilt,rebuilt,rebuilt,rebuilt,added,added");
  EXPECT_EQ(h.Scalar("select version from playlake_runner.engine"), engine);
}

// An incremental log of events, built once with `id` only, then with a new
// column `kind` (and without `note`) under `on_schema_change`, in `h`;
// returns the second build's results.
RunResults ChangeLogColumns(Harness& h, const std::string& on_schema_change) {
  const std::string config =
      "{{ config(materialized='incremental', unique_key='id'" +
      (on_schema_change.empty() ? std::string() : ", on_schema_change='" + on_schema_change + "'") +
      ") }}";
  const std::string since =
      "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}";
  h.Write("seeds/events.csv", "id\n1\n2\n");
  h.Write("models/log.sql", config + "select id, 'n' as note from {{ ref('events') }}" + since);
  h.MustRun("build");
  h.Write("seeds/events.csv", "id\n1\n2\n3\n");
  h.Write("models/log.sql",
          config + "select id, 'k' || id as kind from {{ ref('events') }}" + since);
  return h.MustRun("build");
}

TEST(Materialization, OnSchemaChangeIgnoreKeepsTheTablesColumns) {
  Harness h({});
  const RunResults second = ChangeLogColumns(h, "");  // dbt's default
  EXPECT_FALSE(second.HasErrors());
  EXPECT_EQ(h.Scalar("select string_agg(id || ':' || coalesce(note, '-'), ',' order by id) "
                     "from main.log"),
            "1:n,2:n,3:-");
  EXPECT_EQ(h.Scalar("select count(*) from information_schema.columns where table_name = 'log' "
                     "and column_name = 'kind'"),
            "0");
}

TEST(Materialization, OnSchemaChangeAppendAndSyncAddTheNewColumn) {
  Harness appended({});
  EXPECT_FALSE(ChangeLogColumns(appended, "append_new_columns").HasErrors());
  EXPECT_EQ(appended.Scalar("select string_agg(id || ':' || coalesce(note, '-') || ':' || "
                            "coalesce(kind, '-'), ',' order by id) from main.log"),
            "1:n:-,2:n:-,3:-:k3");
  Harness synced({});
  EXPECT_FALSE(ChangeLogColumns(synced, "sync_all_columns").HasErrors());
  EXPECT_EQ(synced.Scalar("select string_agg(id || ':' || coalesce(kind, '-'), ',' order by id) "
                          "from main.log"),
            "1:-,2:-,3:k3");
  EXPECT_EQ(synced.Scalar("select count(*) from information_schema.columns where table_name = "
                          "'log' and column_name = 'note'"),
            "0");
}

TEST(Materialization, OnSchemaChangeFailNamesTheColumns) {
  Harness h({});
  const RunResults second = ChangeLogColumns(h, "fail");
  ASSERT_TRUE(second.HasErrors());
  const NodeResult* log = second.Find("model.shop.log");
  ASSERT_NE(log, nullptr);
  EXPECT_NE(log->message.find("added kind; removed note"), std::string::npos) << log->message;
  EXPECT_EQ(h.Scalar("select count(*) from main.log"), "2");  // untouched
}

TEST(Materialization, OnSchemaChangeFullRefreshRebuildsTheModel) {
  Harness h({});
  EXPECT_FALSE(ChangeLogColumns(h, "full_refresh").HasErrors());
  EXPECT_EQ(h.Scalar("select string_agg(id || ':' || kind, ',' order by id) from main.log"),
            "1:k1,2:k2,3:k3");
  // Later runs are incremental again.
  h.Write("seeds/events.csv", "id\n1\n2\n3\n4\n");
  EXPECT_FALSE(h.MustRun("build").HasErrors());
  EXPECT_EQ(h.Scalar("select string_agg(kind, ',' order by id) from main.log"), "k1,k2,k3,k4");
}

TEST(Materialization, ARetypedColumnRebuildsTheModelInFull) {
  Harness h({});
  const std::string head = "{{ config(materialized='incremental', unique_key='id') }}select id, ";
  const std::string since =
      " from {{ ref('events') }}{% if is_incremental() %} where id > (select max(id) from "
      "{{ this }}){% endif %}";
  h.Write("seeds/events.csv", "id\n1\n2\n");
  h.Write("models/log.sql", head + "'k' || id as key" + since);
  h.MustRun("build");
  // The key becomes a number: inserted as they are, the new rows' keys would
  // be cast to the stored text, beside the old keys of the other form.
  h.Write("seeds/events.csv", "id\n1\n2\n3\n");
  h.Write("models/log.sql", head + "id * 100 as key" + since);
  std::vector<std::string> lines, notices;
  RunnerOptions options;
  options.progress = [&lines](const std::string& l) { lines.push_back(l); };
  options.notice = [&notices](const std::string& l) { notices.push_back(l); };
  const RunResults second = h.MustRun("build", {}, std::move(options));
  EXPECT_FALSE(second.HasErrors());
  EXPECT_EQ(h.Scalar("select string_agg(id || ':' || key, ',' order by id) from main.log"),
            "1:100,2:200,3:300");
  EXPECT_EQ(h.Scalar("select data_type from information_schema.columns where table_name = 'log' "
                     "and column_name = 'key'"),
            "BIGINT");
  // A notice (playlake run logs those at info), not a progress line.
  EXPECT_EQ(notices,
            std::vector<std::string>{
                "log: its columns changed (key VARCHAR -> BIGINT); rebuilding it in full"});
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("rebuilding it in full"), std::string::npos) << line;
  }
}

// Orders with a duplicate id, a null id, an unknown status and an orphan customer.
Files TestedShop(const std::string& orders_csv) {
  return {
      {"seeds/customers.csv", "id,name\n1,ann\n2,bob\n"},
      {"seeds/orders.csv", orders_csv},
      {"models/stg_orders.sql", "select * from {{ ref('orders') }}"},
      {"models/schema.yml",
       "version: 2\nmodels:\n  - name: stg_orders\n    columns:\n"
       "      - name: id\n        tests: [unique, not_null]\n"
       "      - name: status\n        tests:\n          - accepted_values:\n              values: "
       "[placed, shipped]\n"
       "      - name: customer_id\n        tests:\n          - relationships:\n"
       "              to: ref('customers')\n              field: id\n"},
  };
}

constexpr const char* kUnique = "test.shop.unique_stg_orders_id";
constexpr const char* kNotNull = "test.shop.not_null_stg_orders_id";
constexpr const char* kAccepted = "test.shop.accepted_values_stg_orders_status__placed__shipped";
constexpr const char* kRelationship =
    "test.shop.relationships_stg_orders_customer_id__id__ref__customers__";

TEST(DataTests, GenericTestsPassOnGoodData) {
  Harness h(TestedShop("id,status,customer_id\n1,placed,1\n2,shipped,2\n3,placed,\n"));
  RunResults r = h.MustRun("build");
  for (const char* id : {kUnique, kNotNull, kAccepted, kRelationship}) {
    EXPECT_EQ(StatusOf(r, id), "pass") << id;
    EXPECT_EQ(r.Find(id)->failures, 0) << id;
  }
  EXPECT_FALSE(r.HasTestFailures());
}

TEST(DataTests, GenericTestsDetectBadData) {
  Harness h(TestedShop(
      "id,status,customer_id\n1,placed,1\n1,placed,2\n,shipped,1\n4,lost,9\n5,lost,1\n"));
  RunResults r = h.MustRun("build");
  EXPECT_EQ(StatusOf(r, kUnique), "fail");
  EXPECT_EQ(r.Find(kUnique)->failures, 1);
  EXPECT_EQ(StatusOf(r, kNotNull), "fail");
  EXPECT_EQ(r.Find(kNotNull)->failures, 1);
  EXPECT_EQ(StatusOf(r, kAccepted), "fail");
  EXPECT_EQ(r.Find(kAccepted)->failures, 1);  // one distinct bad value
  EXPECT_EQ(StatusOf(r, kRelationship), "fail");
  EXPECT_EQ(r.Find(kRelationship)->failures, 1);
  EXPECT_TRUE(r.HasTestFailures());
  EXPECT_FALSE(r.HasErrors());
}

TEST(DataTests, SeverityWarnDoesNotFailOrSkip) {
  Files files = TestedShop("id,status,customer_id\n1,lost,1\n");
  files["models/schema.yml"] =
      "models:\n  - name: stg_orders\n    columns:\n      - name: status\n        tests:\n"
      "          - accepted_values:\n              values: [placed]\n              config:\n"
      "                severity: warn\n";
  files["models/after.sql"] = "select * from {{ ref('stg_orders') }}";
  Harness h(files);
  RunResults r = h.MustRun("build");
  EXPECT_EQ(StatusOf(r, "test.shop.accepted_values_stg_orders_status__placed"), "warn");
  EXPECT_EQ(StatusOf(r, "model.shop.after"), "success");
  EXPECT_FALSE(r.HasTestFailures());
}

TEST(DataTests, WhereConfigFiltersTheTestedRows) {
  Files files = TestedShop("id,status,customer_id\n1,placed,1\n1,placed,1\n2,placed,1\n");
  files["models/schema.yml"] =
      "models:\n  - name: stg_orders\n    columns:\n      - name: id\n        tests:\n"
      "          - unique:\n              config: {where: \"id > 1\"}\n";
  Harness h(files);
  EXPECT_EQ(StatusOf(h.MustRun("build"), kUnique), "pass");
}

TEST(DataTests, IncrementalBuildsTestTheRowsTheyAdded) {
  Harness h({
      {"seeds/events.csv", "id,k\n1,a\n2,b\n"},
      {"models/log.sql",
       "{{ config(materialized='incremental') }}select id, k from {{ ref('events') }}"
       "{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}"},
      {"models/schema.yml",
       "models:\n  - name: log\n    columns:\n      - name: k\n        tests: [unique, "
       "not_null]\n"},
  });
  const char* unique = "test.shop.unique_log_k";
  const char* not_null = "test.shop.not_null_log_k";
  EXPECT_EQ(StatusOf(h.MustRun("build"), unique), "pass");
  // A duplicate among the rows of earlier runs: a run that adds other keys does not look
  // at it; one that checks every row (a full refresh's, `playlake test`'s) finds it.
  ASSERT_TRUE(h.db().Connect().value()->Execute("insert into main.log values (0, 'b')"));
  h.Write("seeds/events.csv", "id,k\n1,a\n2,b\n3,c\n");
  RunResults added = h.MustRun("build");
  EXPECT_EQ(StatusOf(added, unique), "pass");
  EXPECT_EQ(added.Find(unique)->message, "PASS (the rows this run added)");
  // The staged new rows are gone with the command, and never were in the warehouse.
  EXPECT_EQ(h.Scalar("select count(*) from information_schema.tables where table_catalog = "
                     "'playlake_new_rows'"),
            "0");
  h.Write("seeds/events.csv", "id,k\n1,a\n2,b\n3,c\n4,d\n");
  RunnerOptions whole;
  whole.whole_table_tests = true;
  RunResults all = h.MustRun("build", {}, whole);
  EXPECT_EQ(StatusOf(all, unique), "fail");
  EXPECT_EQ(all.Find(unique)->message, "Got 1 result(s), expected 0");
  EXPECT_EQ(StatusOf(h.MustRun("test"), unique), "fail");
  // A new key that an earlier run already holds, and a new row without one.
  ASSERT_TRUE(h.db().Connect().value()->Execute("delete from main.log where id = 0"));
  h.Write("seeds/events.csv", "id,k\n1,a\n2,b\n3,c\n4,d\n5,a\n6,\n");
  RunResults bad = h.MustRun("build");
  EXPECT_EQ(StatusOf(bad, unique), "fail");
  EXPECT_EQ(bad.Find(unique)->failures, 1);
  EXPECT_EQ(bad.Find(unique)->message, "Got 1 result(s), expected 0 (the rows this run added)");
  EXPECT_EQ(StatusOf(bad, not_null), "fail");
  EXPECT_EQ(bad.Find(not_null)->failures, 1);
}

TEST(DataTests, SingularTestsReturnFailingRows) {
  Harness h({
      {"seeds/payments.csv", "id,amount\n1,10\n2,-5\n"},
      {"tests/assert_amount_positive.sql", "select * from {{ ref('payments') }} where amount < 0"},
      {"tests/assert_ids_small.sql",
       "{{ config(severity='error') }}select * from {{ ref('payments') }} where id > 9"},
  });
  RunResults r = h.MustRun("build");
  EXPECT_EQ(StatusOf(r, "test.shop.assert_amount_positive"), "fail");
  EXPECT_EQ(r.Find("test.shop.assert_amount_positive")->failures, 1);
  EXPECT_EQ(StatusOf(r, "test.shop.assert_ids_small"), "pass");
}

TEST(DataTests, FailingTestSkipsItsDependantsInBuild) {
  Files files = TestedShop("id,status,customer_id\n1,placed,1\n1,placed,1\n");
  files["models/fct_orders.sql"] =
      "{{ config(materialized='table') }}select * from {{ ref('stg_orders') }}";
  files["models/rpt.sql"] = "select count(*) as n from {{ ref('fct_orders') }}";
  files["models/other.sql"] = "select * from {{ ref('customers') }}";
  Harness h(files);
  RunResults r = h.MustRun("build");
  EXPECT_EQ(StatusOf(r, kUnique), "fail");
  EXPECT_EQ(StatusOf(r, "model.shop.fct_orders"), "skipped");
  EXPECT_EQ(StatusOf(r, "model.shop.rpt"), "skipped");
  EXPECT_NE(r.Find("model.shop.fct_orders")->message.find(kUnique), std::string::npos);
  EXPECT_EQ(StatusOf(r, "model.shop.other"), "success");
  EXPECT_EQ(
      h.Scalar("select count(*) from information_schema.tables where table_name = 'fct_orders'"),
      "0");

  // `test` alone runs the tests and builds nothing.
  RunResults t = h.MustRun("test");
  EXPECT_EQ(StatusOf(t, kUnique), "fail");
  EXPECT_EQ(StatusOf(t, "model.shop.fct_orders"), "absent");
}

TEST(Runner, ModelErrorSkipsDescendantsOnly) {
  Harness h({
      {"models/broken.sql", "select * from no_such_table"},
      {"models/child.sql", "select * from {{ ref('broken') }}"},
      {"models/fine.sql", "select 1 as x"},
  });
  RunResults r = h.MustRun("build");
  EXPECT_EQ(StatusOf(r, "model.shop.broken"), "error");
  EXPECT_NE(r.Find("model.shop.broken")->message.find("no_such_table"), std::string::npos);
  EXPECT_EQ(StatusOf(r, "model.shop.child"), "skipped");
  EXPECT_EQ(StatusOf(r, "model.shop.fine"), "success");
  EXPECT_TRUE(r.HasErrors());
}

TEST(Runner, SelectionLimitsWhatRuns) {
  Harness h({
      {"models/a.sql", "select 1 as x"},
      {"models/b.sql", "select * from {{ ref('a') }}"},
      {"models/c.sql", "select 2 as x"},
  });
  RunResults r = h.MustRun("build", Selection{{"b+"}, {}});
  ASSERT_EQ(r.results.size(), 1u);  // a is not selected; b reads what a's absence gives
  EXPECT_EQ(StatusOf(r, "model.shop.b"), "error");
  r = h.MustRun("build", Selection{{"+b"}, {}});
  EXPECT_EQ(r.results.size(), 2u);
  EXPECT_EQ(StatusOf(r, "model.shop.b"), "success");
  EXPECT_EQ(StatusOf(r, "model.shop.c"), "absent");
}

TEST(Runner, SourcesResolveToCallerRelations) {
  Harness h({
      {"models/sources.yml", "sources:\n  - name: silver\n    tables:\n      - name: plays\n"},
      {"models/stg_plays.sql",
       "{{ config(materialized='table') }}select count(*) as n from {{ source('silver', 'plays') "
       "}}"},
  });
  RunnerOptions options;
  options.source_relations["silver.plays"] = "registered_plays";
  options.connection_setup =
      "CREATE OR REPLACE TEMP VIEW registered_plays AS SELECT * FROM range(5)";
  RunResults r = h.MustRun("build", {}, std::move(options));
  EXPECT_EQ(StatusOf(r, "model.shop.stg_plays"), "success") << r.results[0].message;
  EXPECT_EQ(h.Scalar("select n from main.stg_plays"), "5");
}

TEST(Runner, IndependentModelsRunInParallel) {
  // Each model takes a few hundred milliseconds of CPU; with two workers their
  // execution windows overlap.
  const std::string slow =
      "{{ config(materialized='table') }}select count(*) as n from range(3000) a, range(3000) b "
      "where (a.range * 7 + b.range) % 13 = 0";
  Harness h({{"models/slow_a.sql", slow}, {"models/slow_b.sql", slow}});
  RunnerOptions options;
  options.threads = 2;
  RunResults r = h.MustRun("build", {}, std::move(options));
  const NodeResult* a = r.Find("model.shop.slow_a");
  const NodeResult* b = r.Find("model.shop.slow_b");
  ASSERT_TRUE(a && b);
  EXPECT_NE(a->thread_id, b->thread_id);
  EXPECT_LT(a->started_at, b->completed_at);
  EXPECT_LT(b->started_at, a->completed_at);
}

TEST(Runner, ProgressLinesAndSummary) {
  Harness h({{"models/a.sql", "select 1 as x"}, {"models/b.sql", "select * from {{ ref('a') }}"}});
  std::vector<std::string> lines;
  RunnerOptions options;
  options.progress = [&](const std::string& line) { lines.push_back(line); };
  h.MustRun("build", {}, std::move(options));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].rfind("1 of 2 START sql view model main.a ....", 0), 0u) << lines[0];
  EXPECT_NE(lines[1].find("1 of 2 OK created sql view model main.a ...."), std::string::npos)
      << lines[1];
  EXPECT_NE(lines[1].find("[OK in "), std::string::npos);
  EXPECT_EQ(lines[5], "Done. PASS=2 WARN=0 ERROR=0 SKIP=0 TOTAL=2");
}

}  // namespace
}  // namespace playlake::models
