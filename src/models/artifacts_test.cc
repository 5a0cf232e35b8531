// target/ artifacts: manifest.json, run_results.json, lineage, OpenLineage events.
#include "models/artifacts.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "models/runner.h"
#include "models/test_project.h"
#include "testing/testing.h"

namespace playlake::models {
namespace {

using nlohmann::json;
using playlake::testing::ReadFile;

class Artifacts : public ::testing::Test {
 protected:
  void SetUp() override {
    auto project = testing::LoadFiles(
        dir_.path(),
        {
            {"models/sources.yml", "sources:\n  - name: raw\n    tables:\n      - name: events\n"},
            {"models/stg.sql", "select range as id from {{ source('raw', 'events') }}"},
            {"models/fct.sql", "{{ config(materialized='table') }}select * from {{ ref('stg') }}"},
            {"models/broken.sql", "select * from {{ ref('stg') }} join missing_table using (id)"},
            {"models/schema.yml",
             "models:\n  - name: fct\n    columns:\n      - name: id\n        tests: [unique]\n"},
        });
    ASSERT_TRUE(project) << project.error().message;
    project_ = std::make_unique<Project>(std::move(*project));
    db_ = testing::MemoryDb();
  }

  RunResults Build() {
    RunnerOptions options;
    options.target_dir = dir_ / "target";
    options.source_relations["raw.events"] = "range(3)";
    options.warehouse_name = "/data/warehouse.duckdb";
    Runner runner(*project_, *db_, options);
    auto results = runner.Build({});
    EXPECT_TRUE(results) << results.error().message;
    return results ? *results : RunResults{};
  }

  playlake::testing::TempDir dir_;
  std::unique_ptr<Project> project_;
  std::unique_ptr<warehouse::Database> db_;
};

TEST_F(Artifacts, ManifestHasNodesSourcesAndBothMaps) {
  Build();
  const json m = json::parse(ReadFile(dir_ / "target" / "manifest.json"));
  EXPECT_EQ(m["metadata"]["project_name"], "shop");
  EXPECT_EQ(m["nodes"]["model.shop.fct"]["config"]["materialized"], "table");
  EXPECT_EQ(m["nodes"]["model.shop.fct"]["relation_name"], "\"main\".\"fct\"");
  EXPECT_EQ(m["nodes"]["test.shop.unique_fct_id"]["attached_node"], "model.shop.fct");
  EXPECT_TRUE(m["sources"].contains("source.shop.raw.events"));
  EXPECT_EQ(m["parent_map"]["model.shop.stg"], json::array({"source.shop.raw.events"}));
  EXPECT_EQ(m["parent_map"]["model.shop.fct"], json::array({"model.shop.stg"}));
  EXPECT_EQ(m["child_map"]["model.shop.stg"], json::array({"model.shop.broken", "model.shop.fct"}));
  EXPECT_EQ(m["child_map"]["model.shop.fct"], json::array({"test.shop.unique_fct_id"}));
  EXPECT_EQ(m["child_map"]["test.shop.unique_fct_id"], json::array());
}

TEST_F(Artifacts, RunResultsRecordEveryNodeStatus) {
  Build();
  const json r = json::parse(ReadFile(dir_ / "target" / "run_results.json"));
  EXPECT_EQ(r["args"]["which"], "build");
  std::map<std::string, json> by_id;
  for (const json& result : r["results"]) by_id[result["unique_id"]] = result;
  ASSERT_EQ(by_id.size(), 4u);
  EXPECT_EQ(by_id["model.shop.stg"]["status"], "success");
  EXPECT_EQ(by_id["model.shop.fct"]["status"], "success");
  EXPECT_EQ(by_id["model.shop.fct"]["adapter_response"]["rows_affected"], 3);
  EXPECT_EQ(by_id["model.shop.broken"]["status"], "error");
  EXPECT_NE(by_id["model.shop.broken"]["message"].get<std::string>().find("missing_table"),
            std::string::npos);
  EXPECT_EQ(by_id["test.shop.unique_fct_id"]["status"], "pass");
  EXPECT_EQ(by_id["test.shop.unique_fct_id"]["failures"], 0);
  EXPECT_GE(by_id["model.shop.fct"]["execution_time"].get<double>(), 0.0);
  EXPECT_EQ(by_id["model.shop.fct"]["timing"].size(), 1u);
}

TEST_F(Artifacts, OpenLineageStartCompleteAndFail) {
  Build();
  std::istringstream lines(ReadFile(dir_ / "target" / "openlineage.jsonl"));
  std::map<std::string, std::vector<json>> by_job;
  for (std::string line; std::getline(lines, line);) {
    const json e = json::parse(line);
    by_job[e["job"]["name"]].push_back(e);
  }
  ASSERT_EQ(by_job.size(), 3u);  // stg, fct, broken; tests write no dataset
  const auto& fct = by_job["model.shop.fct"];
  ASSERT_EQ(fct.size(), 2u);
  EXPECT_EQ(fct[0]["eventType"], "START");
  EXPECT_EQ(fct[1]["eventType"], "COMPLETE");
  EXPECT_EQ(fct[0]["run"]["runId"], fct[1]["run"]["runId"]);
  const std::string run_id = fct[0]["run"]["runId"];
  EXPECT_EQ(run_id.size(), 36u);
  EXPECT_EQ(run_id[14], '4');  // UUID version 4
  EXPECT_EQ(fct[1]["job"]["namespace"], "shop");
  EXPECT_EQ(fct[1]["inputs"][0]["name"], "main.stg");
  EXPECT_EQ(fct[1]["inputs"][0]["namespace"], "duckdb:///data/warehouse.duckdb");
  EXPECT_EQ(fct[1]["outputs"][0]["name"], "main.fct");
  EXPECT_TRUE(fct[1].contains("producer"));
  EXPECT_TRUE(fct[1].contains("schemaURL"));
  EXPECT_TRUE(fct[1].contains("eventTime"));
  const auto& broken = by_job["model.shop.broken"];
  ASSERT_EQ(broken.size(), 2u);
  EXPECT_EQ(broken[1]["eventType"], "FAIL");
  EXPECT_NE(broken[1]["run"]["facets"]["errorMessage"]["message"].get<std::string>().find(
                "missing_table"),
            std::string::npos);
  EXPECT_NE(by_job["model.shop.stg"][0]["run"]["runId"], run_id);

  // A second run appends.
  Build();
  std::istringstream again(ReadFile(dir_ / "target" / "openlineage.jsonl"));
  int count = 0;
  for (std::string line; std::getline(again, line);) ++count;
  EXPECT_EQ(count, 12);
}

TEST_F(Artifacts, LineageGraphFiles) {
  auto graph = Graph::Build(*project_);
  ASSERT_TRUE(graph);
  ASSERT_TRUE(WriteDocs(dir_ / "target", *project_, *graph, "2024-01-01T00:00:00Z"));
  const json l = json::parse(ReadFile(dir_ / "target" / "lineage.json"));
  bool found = false;
  for (const json& e : l["edges"])
    found = found || (e["from"] == "model.shop.stg" && e["to"] == "model.shop.fct");
  EXPECT_TRUE(found);
  EXPECT_EQ(l["nodes"][0]["id"], "source.shop.raw.events");  // sources come first
  const std::string dot = ReadFile(dir_ / "target" / "lineage.dot");
  EXPECT_NE(dot.find("\"model.shop.stg\" -> \"model.shop.fct\";"), std::string::npos) << dot;
}

}  // namespace
}  // namespace playlake::models
