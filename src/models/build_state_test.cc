// The runner keeping nodes whose inputs did not change (RunnerOptions::keep_unchanged),
// and rebuilding in full an incremental model whose SQL no longer binds.
#include "models/build_state.h"

#include <gtest/gtest.h>

#include "models/test_project.h"
#include "testing/testing.h"

namespace playlake::models {
namespace {

using models::testing::Files;
using models::testing::StatusOf;

// A project reading the source table silver.plays, run with keep_unchanged on
// one in-memory warehouse; `version` is the source's version for the next run.
class Kept {
 public:
  explicit Kept(Files files) : files_(std::move(files)), db_(testing::MemoryDb()) {
    Sql("CREATE SCHEMA silver; CREATE TABLE silver.plays AS SELECT range AS id FROM range(3)");
    files_.emplace("models/sources.yml",
                   "sources:\n  - name: silver\n    tables:\n      - name: plays\n");
  }
  RunResults Run(const std::string& command = "build", bool full_refresh = false) {
    auto project = testing::LoadFiles(dir_.path(), files_);
    EXPECT_TRUE(project) << project.error().message;
    if (!project) return {};
    project_ = std::make_unique<Project>(std::move(*project));
    RunnerOptions options;
    options.keep_unchanged = true;
    options.full_refresh = full_refresh;
    if (!version.empty()) options.source_versions["silver.plays"] = version;
    options.progress = [this](const std::string& line) { lines.push_back(line); };
    Runner runner(*project_, *db_, std::move(options));
    auto r = command == "test" ? runner.Test({}) : runner.Build({});
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : RunResults{};
  }
  bool KeptNode(const RunResults& r, const std::string& id) {
    const NodeResult* n = r.Find(id);
    return n && n->kept;
  }
  std::string Sql(const std::string& sql) { return testing::Scalar(*db_, sql); }
  void Write(const std::string& path, const std::string& text) { files_[path] = text; }

  std::string version = "v1";
  std::vector<std::string> lines;

 private:
  playlake::testing::TempDir dir_;
  Files files_;
  std::unique_ptr<warehouse::Database> db_;
  std::unique_ptr<Project> project_;
};

Files Chain() {
  return {
      {"models/counted.sql",
       "{{ config(materialized='table') }}select count(*) as n from {{ source('silver', 'plays') "
       "}}"},
      {"models/doubled.sql",
       "{{ config(materialized='table') }}select n * 2 as n2 from {{ ref('counted') }}"},
      {"models/schema.yml",
       "version: 2\nmodels:\n  - name: doubled\n    columns:\n      - name: n2\n"
       "        tests: [unique]\n"},
  };
}

constexpr const char* kCounted = "model.shop.counted";
constexpr const char* kDoubled = "model.shop.doubled";
constexpr const char* kUnique = "test.shop.unique_doubled_n2";

TEST(KeepUnchanged, KeepsWhatReadsTheSameVersionsAndRebuildsWhenOneChanges) {
  Kept k(Chain());
  RunResults first = k.Run();
  EXPECT_FALSE(k.KeptNode(first, kCounted));
  EXPECT_EQ(k.Sql("select n2 from main.doubled"), "6");

  // New rows under the same version: the runner trusts the version and keeps everything.
  k.Sql("INSERT INTO silver.plays VALUES (3)");
  k.lines.clear();
  RunResults same = k.Run();
  for (const char* id : {kCounted, kDoubled, kUnique}) {
    EXPECT_TRUE(k.KeptNode(same, id)) << id;
  }
  EXPECT_EQ(StatusOf(same, kDoubled), "success");
  EXPECT_EQ(StatusOf(same, kUnique), "pass");
  EXPECT_EQ(k.Sql("select n2 from main.doubled"), "6");
  ASSERT_GT(k.lines.size(), 1u);
  EXPECT_NE(k.lines[1].find("OK kept sql table model main.counted"), std::string::npos)
      << k.lines[1];

  // A new version rebuilds the model and what reads it.
  k.version = "v2";
  RunResults changed = k.Run();
  for (const char* id : {kCounted, kDoubled, kUnique}) {
    EXPECT_FALSE(k.KeptNode(changed, id)) << id;
  }
  EXPECT_EQ(k.Sql("select n2 from main.doubled"), "8");
}

TEST(KeepUnchanged, RebuildsWhatChangedItsSqlAndWhatReadsIt) {
  Kept k(Chain());
  k.Run();
  k.Write("models/doubled.sql",
          "{{ config(materialized='table') }}select n * 3 as n2 from {{ ref('counted') }}");
  RunResults r = k.Run();
  EXPECT_TRUE(k.KeptNode(r, kCounted));
  EXPECT_FALSE(k.KeptNode(r, kDoubled));
  EXPECT_FALSE(k.KeptNode(r, kUnique));
  EXPECT_EQ(k.Sql("select n2 from main.doubled"), "9");
}

TEST(KeepUnchanged, NeverKeepsWhatReadsAnUnversionedSourceOrTheClock) {
  Files files = Chain();
  files["models/stamped.sql"] =
      "{{ config(materialized='table') }}select current_date as d, n2 from {{ ref('doubled') }}";
  Kept k(files);
  k.Run();
  RunResults clock = k.Run();
  EXPECT_TRUE(k.KeptNode(clock, kDoubled));
  EXPECT_FALSE(k.KeptNode(clock, "model.shop.stamped"));

  k.version.clear();
  RunResults unversioned = k.Run();
  for (const char* id : {kCounted, kDoubled, kUnique}) {
    EXPECT_FALSE(k.KeptNode(unversioned, id)) << id;
  }
}

TEST(KeepUnchanged, AFailedTestRunsAgainAndFailsAgain) {
  Files files = Chain();
  files["models/doubled.sql"] =
      "{{ config(materialized='table') }}select n * 2 as n2 from {{ ref('counted') }} "
      "union all select 6";
  Kept k(files);
  EXPECT_EQ(StatusOf(k.Run(), kUnique), "fail");
  RunResults again = k.Run();
  EXPECT_TRUE(k.KeptNode(again, kDoubled));
  EXPECT_FALSE(k.KeptNode(again, kUnique));
  EXPECT_EQ(StatusOf(again, kUnique), "fail");
}

TEST(KeepUnchanged, FullRefreshAndPlaylakeTestKeepNothing) {
  Kept k(Chain());
  k.Run();
  RunResults refreshed = k.Run("build", /*full_refresh=*/true);
  for (const char* id : {kCounted, kDoubled, kUnique}) {
    EXPECT_FALSE(k.KeptNode(refreshed, id)) << id;
  }
  EXPECT_FALSE(k.KeptNode(k.Run("test"), kUnique));
  // A table dropped by hand is built again even when its inputs are the same.
  k.Sql("DROP TABLE main.doubled");
  RunResults rebuilt = k.Run();
  EXPECT_TRUE(k.KeptNode(rebuilt, kCounted));
  EXPECT_FALSE(k.KeptNode(rebuilt, kDoubled));
  EXPECT_EQ(k.Sql("select n2 from main.doubled"), "6");
}

TEST(KeepUnchanged, AnIncrementalRunThatAddsNothingKeepsItsReaders) {
  Files files = Chain();
  files["models/counted.sql"] =
      "{{ config(materialized='incremental', unique_key='id') }}select id, 1 as n from {{ "
      "source('silver', 'plays') }}{% if is_incremental() %} where id > (select max(id) from "
      "{{ this }}){% endif %}";
  files["models/doubled.sql"] =
      "{{ config(materialized='table') }}select sum(n) * 2 as n2 from {{ ref('counted') }}";
  Kept k(files);
  k.Run();
  k.Run();  // the first incremental run: its SQL is not the full build's
  // A new version of the source with no new rows: counted runs and adds
  // nothing, so doubled, which reads only it, is kept.
  k.version = "v2";
  RunResults r = k.Run();
  EXPECT_FALSE(k.KeptNode(r, kCounted));
  EXPECT_EQ(r.Find(kCounted)->rows_affected, 0);
  EXPECT_TRUE(k.KeptNode(r, kDoubled));
  // Rows added: what reads it is rebuilt.
  k.Sql("INSERT INTO silver.plays VALUES (7)");
  k.version = "v3";
  RunResults added = k.Run();
  EXPECT_FALSE(k.KeptNode(added, kDoubled));
  EXPECT_EQ(k.Sql("select n2 from main.doubled"), "8");
}

TEST(KeepUnchanged, AnIncrementalModelThatNoLongerBindsIsRebuiltInFull) {
  Kept k(Files{
      {"models/log.sql",
       "{{ config(materialized='incremental') }}select id from {{ source('silver', 'plays') "
       "}}{% if is_incremental() %} where id > (select max(id) from {{ this }}){% endif %}"}});
  k.Run();
  // A newer version of the model keeps a column its incremental SQL reads back.
  k.Write("models/log.sql",
          "{{ config(materialized='incremental') }}with new as (select id from {{ "
          "source('silver', 'plays') }}{% if is_incremental() %} where 'b' || id not in (select "
          "batch from {{ this }}){% endif %}) select id, 'b' || id as batch from new");
  k.lines.clear();
  RunResults r = k.Run();
  EXPECT_EQ(StatusOf(r, "model.shop.log"), "success") << r.Find("model.shop.log")->message;
  EXPECT_EQ(k.Sql("select string_agg(batch, ',' order by id) from main.log"), "b0,b1,b2");
  bool said = false;
  for (const std::string& line : k.lines) {
    said = said || line.find(
                       "log: its incremental SQL does not bind against the existing table "
                       "(built by an older version?); rebuilding it in full") != std::string::npos;
  }
  EXPECT_TRUE(said);
}

}  // namespace
}  // namespace playlake::models
