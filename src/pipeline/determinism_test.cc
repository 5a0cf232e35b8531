// Two builds of the same input give the same gold, in every table.
//
// One silver lake (a real `playlake generate` + `playlake ingest`) is built
// twice, each time into a fresh warehouse, by the model runner `playlake build`
// uses, with DuckDB and the runner on four threads each, so scans, joins and
// aggregates run in parallel and rows meet in a different order every time.
// Then every relation of the two warehouses (silver views, staging views,
// intermediate and mart tables, snapshots) is compared row by row, as the
// text of each value (so two doubles that differ in the last bit differ).
// The one column left out is loaded_at, which records when a build added a
// row and so differs between any two builds by design. The runner's clock is
// fixed, so snapshot validity times are compared too.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "lake/lake.h"
#include "models/project.h"
#include "models/runner.h"
#include "pipeline/pipeline_test_util.h"
#include "silver/views.h"
#include "testing/testing.h"
#include "warehouse/duckdb.h"

namespace playlake::pipeline {
namespace {

namespace fs = std::filesystem;
using testing::RunPlaylake;
using testutil::Rows;
using testutil::WarehouseReader;

constexpr int kThreads = 4;

// Builds the shipped models on the silver tables of `lake` into the new
// warehouse file `warehouse`; returns "" or what went wrong.
std::string BuildGold(const fs::path& lake_dir, const fs::path& warehouse) {
  auto project = models::Project::Load(PLAYLAKE_MODELS_DIR);
  if (!project) return project.error().message;
  warehouse::DatabaseOptions database_options;
  database_options.threads = kThreads;
  auto database = warehouse::Database::Open(warehouse.string(), database_options);
  if (!database) return database.error().message;
  auto lake = lake::Lake::OpenLocal(lake_dir, {});
  if (!lake) return lake.error().message;
  {
    auto connection = (*database)->Connect();
    if (!connection) return connection.error().message;
    if (auto s = silver::CreateSilverSchema(**connection, **lake); !s) return s.error().message;
  }
  models::RunnerOptions options;
  options.threads = kThreads;
  options.clock = [] {
    return std::chrono::system_clock::time_point(std::chrono::seconds(1796000000));
  };
  models::Runner runner(*project, **database, options);
  auto results = runner.Build({});
  if (!results) return results.error().message;
  if (results->HasErrors() || results->HasTestFailures()) {
    return "the build had errors or failing data tests";
  }
  return "";
}

class DeterminismTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const fs::path project = dir_->path() / "project";
    fs::create_directories(project);
    testutil::WriteTextFile(
        project / "playlake.yml",
        "name: determinism\nsources:\n  - name: catalog\n    format: playlake-catalog\n"
        "    path: catalog\n  - name: events\n    format: playlake\n    path: events\n");
    // Four weeks of 400 listeners, with the faults of a real feed: about 60k
    // plays in 28 daily files.
    const auto gen = RunPlaylake(
        "generate --quiet --users 400 --seed 16 --start 2026-05-04 --end 2026-05-31 "
        "--dup-rate 0.005 --late-rate 0.002 --bad-rate 0.0005 --out " +
        (project / "events").string() + "/ --catalog-out " + (project / "catalog").string());
    ASSERT_EQ(gen.exit_code, 0) << gen.stderr_text;
    const auto ingest = RunPlaylake("ingest --project " + project.string());
    ASSERT_EQ(ingest.exit_code, 0) << ingest.stderr_text;
    for (const char* name : {"a.duckdb", "b.duckdb"}) {
      const std::string failure = BuildGold(project / "lake", dir_->path() / name);
      ASSERT_EQ(failure, "") << "building " << name;
    }
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  static testing::TempDir* dir_;
};

testing::TempDir* DeterminismTest::dir_ = nullptr;

// The relations of the warehouse attached as `catalog`: "schema.name".
std::vector<std::string> Relations(WarehouseReader& db, const std::string& catalog) {
  std::vector<std::string> names;
  for (const auto& row : db.Query(
           "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE database_name = '" +
           catalog +
           "' UNION ALL SELECT schema_name || '.' || view_name FROM duckdb_views() "
           "WHERE database_name = '" +
           catalog + "' AND NOT internal ORDER BY 1")) {
    names.push_back(row[0]);
  }
  return names;
}

// The columns of `relation` in `catalog` but loaded_at, as "name type".
Rows Columns(WarehouseReader& db, const std::string& catalog, const std::string& relation) {
  const std::size_t dot = relation.find('.');
  return db.Query("SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = '" +
                  catalog + "' AND schema_name = '" + relation.substr(0, dot) +
                  "' AND table_name = '" + relation.substr(dot + 1) +
                  "' AND column_name <> 'loaded_at' ORDER BY column_index");
}

// The rows of `columns` (SQL expressions) of `relation` that warehouse `from`
// holds and warehouse `to` does not (as multisets: EXCEPT ALL).
std::string Missing(const std::string& relation, const std::string& columns,
                    const std::string& from, const std::string& to) {
  return "SELECT " + columns + " FROM " + from + "." + relation + " EXCEPT ALL SELECT " + columns +
         " FROM " + to + "." + relation;
}

// How many rows one warehouse has that the other has not, both ways (0: the
// same multiset of rows).
long long Differences(WarehouseReader& db, const std::string& relation,
                      const std::string& columns) {
  return db.Int("SELECT (SELECT count(*) FROM (" + Missing(relation, columns, "a", "b") +
                ")) + (SELECT count(*) FROM (" + Missing(relation, columns, "b", "a") + "))");
}

// A few values of `column` that only one warehouse holds: "a: 69.22; b: 69.23; ".
std::string SampleOfDifferences(WarehouseReader& db, const std::string& relation,
                                const std::string& column) {
  std::string sample;
  for (const auto& [from, to] : {std::pair{"a", "b"}, std::pair{"b", "a"}}) {
    for (const auto& row :
         db.Query("SELECT v FROM (" + Missing(relation, column + " AS v", from, to) +
                  ") ORDER BY 1 LIMIT 3")) {
      sample += std::string(from) + ": " + row[0] + "; ";
    }
  }
  return sample;
}

TEST_F(DeterminismTest, TwoBuildsOfTheSameInputHoldTheSameRowsInEveryTable) {
  ASSERT_NE(dir_, nullptr);
  WarehouseReader db(":memory:", false);
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db.Execute("ATTACH '" + (dir_->path() / "a.duckdb").string() +
                         "' AS a (READ_ONLY); ATTACH '" + (dir_->path() / "b.duckdb").string() +
                         "' AS b (READ_ONLY)"));
  const std::vector<std::string> relations = Relations(db, "a");
  ASSERT_EQ(relations, Relations(db, "b"));
  ASSERT_GT(relations.size(), 40u) << "the shipped models were not all built";
  EXPECT_GT(db.Int("SELECT count(*) FROM a.main.fct_plays"), 40000);

  std::vector<std::string> differing;
  for (const std::string& relation : relations) {
    const Rows columns = Columns(db, "a", relation);
    ASSERT_EQ(columns, Columns(db, "b", relation)) << relation;
    std::vector<std::string> texts;  // each column as the text of its values
    std::string all;
    for (const auto& column : columns) {
      texts.push_back("\"" + column[0] + "\"::VARCHAR");
      all += (all.empty() ? "" : ", ") + texts.back();
    }
    if (Differences(db, relation, all) == 0) continue;
    // Name the first column whose values differ (none: the same values,
    // combined into rows differently).
    std::string where = "the same values in other rows";
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (Differences(db, relation, texts[c]) > 0) {
        where =
            "column " + columns[c][0] + " (" + SampleOfDifferences(db, relation, texts[c]) + "...)";
        break;
      }
    }
    differing.push_back(relation + ": " + where);
  }
  EXPECT_TRUE(differing.empty()) << differing.size()
                                 << " relation(s) differ between two builds; the first is "
                                 << (differing.empty() ? "" : differing.front()) << "\n"
                                 << ::testing::PrintToString(differing);
}

}  // namespace
}  // namespace playlake::pipeline
