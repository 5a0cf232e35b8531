// Exposures: declared in .yml, their queries in analyses/<exposure>/, compiled
// with ref() and written into manifest.json as dbt does.
#include "models/exposures.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "models/artifacts.h"
#include "models/graph.h"
#include "models/test_project.h"
#include "testing/testing.h"

namespace playlake::models {
namespace {

using nlohmann::json;

constexpr const char* kExposures = R"(version: 2
exposures:
  - name: overview
    label: Overview
    type: dashboard
    url: /#/overview
    owner: {name: Analytics, email: data@example.com}
    meta: {endpoint: /api/overview}
    depends_on:
      - ref('daily')
)";

testing::Files ShopFiles() {
  return {
      {"models/orders.sql", "select range as id, range % 3 as day from range(9)"},
      {"models/daily.sql", "select day, count(*) as orders from {{ ref('orders') }} group by day"},
      {"analyses/dashboard.yml", kExposures},
      {"analyses/overview/totals.sql", "select sum(orders) as orders from {{ ref('daily') }}"},
  };
}

TEST(Exposures, LoadWithResolvedDependsOnAndQueries) {
  playlake::testing::TempDir dir;
  auto project = testing::LoadFiles(dir.path(), ShopFiles());
  ASSERT_TRUE(project) << project.error().message;
  ASSERT_EQ(project->exposures().size(), 1u);
  const Exposure& e = project->exposures().at("exposure.shop.overview");
  EXPECT_EQ(e.label, "Overview");
  EXPECT_EQ(e.owner_email, "data@example.com");
  EXPECT_EQ(e.meta.at("endpoint"), "/api/overview");
  EXPECT_EQ(e.depends_on, std::vector<std::string>{"model.shop.daily"});
  ASSERT_EQ(e.queries.size(), 1u);
  EXPECT_EQ(e.queries[0].name, "totals");
  EXPECT_EQ(e.queries[0].depends_on, std::vector<std::string>{"model.shop.daily"});
}

TEST(Exposures, QueriesCompileToTheRelation) {
  playlake::testing::TempDir dir;
  auto project = testing::LoadFiles(dir.path(), ShopFiles());
  ASSERT_TRUE(project) << project.error().message;
  auto queries = CompileExposureQueries(*project);
  ASSERT_TRUE(queries) << queries.error().message;
  ASSERT_EQ(queries->size(), 1u);
  EXPECT_EQ((*queries)[0].exposure, "overview");
  EXPECT_EQ((*queries)[0].label, "Overview");
  EXPECT_EQ((*queries)[0].path, "analyses/overview/totals.sql");
  EXPECT_EQ((*queries)[0].sql, "select sum(orders) as orders from \"main\".\"daily\"");
}

TEST(Exposures, ClickHouseVariantsStandInForTheirQueriesWithBareTables) {
  playlake::testing::TempDir dir;
  testing::Files files = ShopFiles();
  files["analyses/overview/days.sql"] = "select count(*)::bigint as days from {{ ref('daily') }}";
  files["analyses/overview/days.clickhouse.sql"] =
      "select toInt64(count()) as days from {{ ref('daily') }}";
  auto project = testing::LoadFiles(dir.path(), files);
  ASSERT_TRUE(project) << project.error().message;
  // DuckDB reads its own files alone.
  auto duckdb = CompileExposureQueries(*project);
  ASSERT_TRUE(duckdb) << duckdb.error().message;
  ASSERT_EQ(duckdb->size(), 2u);
  EXPECT_EQ((*duckdb)[0].sql, "select count(*)::bigint as days from \"main\".\"daily\"");
  // ClickHouse: the variant where there is one, else the query itself.
  auto clickhouse = CompileClickHouseQueries(*project);
  ASSERT_TRUE(clickhouse) << clickhouse.error().message;
  ASSERT_EQ(clickhouse->size(), 2u);
  EXPECT_EQ((*clickhouse)[0].name, "days");
  EXPECT_EQ((*clickhouse)[0].path, "analyses/overview/days.clickhouse.sql");
  EXPECT_EQ((*clickhouse)[0].sql, "select toInt64(count()) as days from \"daily\"");
  EXPECT_EQ((*clickhouse)[1].sql, "select sum(orders) as orders from \"daily\"");

  files["analyses/overview/orphan.clickhouse.sql"] = "select 1";
  playlake::testing::TempDir other;
  auto orphan = testing::LoadFiles(other.path(), files);
  ASSERT_FALSE(orphan);
  EXPECT_NE(orphan.error().message.find("orphan.clickhouse.sql: a ClickHouse variant of no query"),
            std::string::npos)
      << orphan.error().message;
}

TEST(Exposures, QueryReadingAnUndeclaredModelIsAnError) {
  playlake::testing::TempDir dir;
  testing::Files files = ShopFiles();
  files["analyses/overview/raw.sql"] = "select count(*) from {{ ref('orders') }}";
  auto project = testing::LoadFiles(dir.path(), files);
  ASSERT_FALSE(project);
  EXPECT_EQ(project.error().code, ErrorCode::kConfig);
  EXPECT_NE(project.error().message.find("raw.sql:1: ref('orders') is not in the depends_on of "
                                         "exposure 'overview'"),
            std::string::npos)
      << project.error().message;
}

TEST(Exposures, BadDeclarationsNameTheFile) {
  for (const auto& [yml, expected] : std::vector<std::pair<std::string, std::string>>{
           {"exposures:\n  - name: x\n    type: poster\n", "type: must be one of"},
           {"exposures:\n  - name: x\n    type: dashboard\n    depends_on: [daily]\n",
            "is not ref('model')"},
           {"exposures:\n  - name: x\n    type: dashboard\n    depends_on: [\"ref('nope')\"]\n",
            "ref('nope') names no model"},
           {"exposures:\n  - name: x\n    type: dashboard\n    screens: 2\n",
            "key 'screens' is not supported in an exposure"},
       }) {
    playlake::testing::TempDir dir;
    testing::Files files = ShopFiles();
    files["analyses/dashboard.yml"] = yml;
    auto project = testing::LoadFiles(dir.path(), files);
    ASSERT_FALSE(project) << yml;
    EXPECT_NE(project.error().message.find("dashboard.yml"), std::string::npos)
        << project.error().message;
    EXPECT_NE(project.error().message.find(expected), std::string::npos) << project.error().message;
  }
}

TEST(Exposures, ManifestListsThemWithTheirParents) {
  playlake::testing::TempDir dir;
  auto project = testing::LoadFiles(dir.path(), ShopFiles());
  ASSERT_TRUE(project) << project.error().message;
  auto graph = Graph::Build(*project);
  ASSERT_TRUE(graph) << graph.error().message;
  const json m = json::parse(ManifestJson(*project, *graph, "2024-01-01T00:00:00Z"));
  const json& e = m["exposures"]["exposure.shop.overview"];
  EXPECT_EQ(e["resource_type"], "exposure");
  EXPECT_EQ(e["type"], "dashboard");
  EXPECT_EQ(e["owner"]["name"], "Analytics");
  EXPECT_EQ(e["depends_on"]["nodes"], json::array({"model.shop.daily"}));
  EXPECT_EQ(m["parent_map"]["exposure.shop.overview"], json::array({"model.shop.daily"}));
  const json& children = m["child_map"]["model.shop.daily"];
  EXPECT_NE(std::find(children.begin(), children.end(), "exposure.shop.overview"), children.end());
  EXPECT_FALSE(m["nodes"].contains("analysis.shop.overview.totals"));
}

}  // namespace
}  // namespace playlake::models
