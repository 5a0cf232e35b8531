#include "models/graph.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "models/test_project.h"
#include "testing/testing.h"

namespace playlake::models {
namespace {

using models::testing::LoadFiles;
using playlake::testing::TempDir;

//   raw_a   raw_b
//     \      |
//     stg_a stg_b      (staging/, tag staging)
//        \  /
//        fct          (marts/, tag nightly)
//         |
//        rpt          (marts/)
testing::Files Diamond() {
  return {
      {"dbt_project.yml", "name: shop\nmodels:\n  shop:\n    staging:\n      +tags: [staging]\n"},
      {"seeds/raw_a.csv", "id\n1\n"},
      {"seeds/raw_b.csv", "id\n1\n"},
      {"models/staging/stg_a.sql", "select * from {{ ref('raw_a') }}"},
      {"models/staging/stg_b.sql", "select * from {{ ref('raw_b') }}"},
      {"models/marts/fct.sql",
       "{{ config(tags=['nightly']) }}select * from {{ ref('stg_a') }} join {{ ref('stg_b') }} "
       "using (id)"},
      {"models/marts/rpt.sql", "select * from {{ ref('fct') }}"},
      {"models/marts/schema.yml",
       "models:\n  - name: fct\n    columns:\n      - name: id\n        tests: [unique]\n"},
  };
}

std::vector<std::string> Names(const Project& p, const std::set<std::string>& ids) {
  std::vector<std::string> out;
  for (const std::string& id : ids) out.push_back(p.FindNode(id)->name);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Graph, OrderPutsParentsFirst) {
  TempDir dir;
  auto project = LoadFiles(dir.path(), Diamond());
  ASSERT_TRUE(project) << project.error().message;
  auto graph = Graph::Build(*project);
  ASSERT_TRUE(graph) << graph.error().message;
  const auto& order = graph->Order();
  auto pos = [&](const std::string& id) {
    return std::find(order.begin(), order.end(), id) - order.begin();
  };
  EXPECT_LT(pos("seed.shop.raw_a"), pos("model.shop.stg_a"));
  EXPECT_LT(pos("model.shop.stg_a"), pos("model.shop.fct"));
  EXPECT_LT(pos("model.shop.stg_b"), pos("model.shop.fct"));
  EXPECT_LT(pos("model.shop.fct"), pos("model.shop.rpt"));
  EXPECT_LT(pos("model.shop.fct"), pos("test.shop.unique_fct_id"));
  EXPECT_EQ(graph->Parents("model.shop.fct"),
            (std::set<std::string>{"model.shop.stg_a", "model.shop.stg_b"}));
  EXPECT_EQ(graph->Children("model.shop.fct"),
            (std::set<std::string>{"model.shop.rpt", "test.shop.unique_fct_id"}));
}

TEST(Graph, CycleIsAnErrorNamingIt) {
  TempDir dir;
  auto project = LoadFiles(dir.path(), {
                                           {"models/a.sql", "select * from {{ ref('c') }}"},
                                           {"models/b.sql", "select * from {{ ref('a') }}"},
                                           {"models/c.sql", "select * from {{ ref('b') }}"},
                                           {"models/d.sql", "select * from {{ ref('c') }}"},
                                       });
  ASSERT_TRUE(project) << project.error().message;
  auto graph = Graph::Build(*project);
  ASSERT_FALSE(graph);
  const std::string& message = graph.error().message;
  EXPECT_NE(message.find("dependency cycle"), std::string::npos) << message;
  for (const char* id : {"model.shop.a", "model.shop.b", "model.shop.c"}) {
    EXPECT_NE(message.find(id), std::string::npos) << message;
  }
  EXPECT_EQ(message.find("model.shop.d"), std::string::npos) << message;
  EXPECT_TRUE(message.find("model.shop.a -> model.shop.b") != std::string::npos ||
              message.find("model.shop.b -> model.shop.c") != std::string::npos)
      << message;
}

struct SelectCase {
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  std::vector<std::string> expected;  // names, sorted
};

class Selection : public ::testing::TestWithParam<SelectCase> {};

TEST_P(Selection, PicksTheRightNodes) {
  TempDir dir;
  auto project = LoadFiles(dir.path(), Diamond());
  ASSERT_TRUE(project) << project.error().message;
  auto graph = Graph::Build(*project);
  ASSERT_TRUE(graph);
  auto chosen = SelectNodes(*project, *graph, GetParam().select, GetParam().exclude);
  ASSERT_TRUE(chosen) << chosen.error().message;
  EXPECT_EQ(Names(*project, *chosen), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Graph, Selection,
    ::testing::Values(
        SelectCase{{"fct"}, {}, {"fct", "unique_fct_id"}},
        SelectCase{{"+fct"}, {}, {"fct", "raw_a", "raw_b", "stg_a", "stg_b", "unique_fct_id"}},
        SelectCase{{"stg_a+"}, {}, {"fct", "rpt", "stg_a", "unique_fct_id"}},
        SelectCase{{"1+fct"}, {}, {"fct", "stg_a", "stg_b", "unique_fct_id"}},
        SelectCase{{"+fct+"}, {"raw_a raw_b"}, {"fct", "rpt", "stg_a", "stg_b", "unique_fct_id"}},
        SelectCase{{"tag:staging"}, {}, {"stg_a", "stg_b"}},
        SelectCase{{"tag:nightly rpt"}, {}, {"fct", "rpt", "unique_fct_id"}},
        SelectCase{{"stg_a", "rpt"}, {}, {"rpt", "stg_a"}},
        SelectCase{{"+rpt,tag:staging"}, {}, {"stg_a", "stg_b"}},  // comma: intersection, as in dbt
        SelectCase{{"staging"}, {}, {"stg_a", "stg_b"}},           // a folder
        SelectCase{{"path:models/marts"}, {}, {"fct", "rpt", "unique_fct_id"}},
        SelectCase{{}, {"tag:staging", "fct"}, {"raw_a", "raw_b", "rpt"}},
        SelectCase{{"unique_fct_id"}, {}, {"unique_fct_id"}}));

TEST(Graph, SelectorMatchingNothingIsAnError) {
  TempDir dir;
  auto project = LoadFiles(dir.path(), Diamond());
  ASSERT_TRUE(project);
  auto graph = Graph::Build(*project);
  auto chosen = SelectNodes(*project, *graph, {"fct_typo"}, {});
  ASSERT_FALSE(chosen);
  EXPECT_EQ(chosen.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(chosen.error().message.find("fct_typo"), std::string::npos);
}

TEST(Graph, TestEdgesRunTestsBeforeChildrenWithoutCycles) {
  TempDir dir;
  auto files = Diamond();
  // A relationships test reads both fct and stg_a; it must not precede stg_a's child fct.
  files["models/marts/schema.yml"] =
      "models:\n  - name: fct\n    columns:\n      - name: id\n        tests:\n          - unique\n"
      "          - relationships: {to: ref('stg_a'), field: id}\n";
  auto project = LoadFiles(dir.path(), files);
  ASSERT_TRUE(project) << project.error().message;
  auto graph = Graph::Build(*project);
  ASSERT_TRUE(graph);
  graph->AddTestEdges(*project);
  EXPECT_TRUE(graph->Parents("model.shop.rpt").count("test.shop.unique_fct_id"));
  const std::string rel = "test.shop.relationships_fct_id__id__ref__stg_a__";
  ASSERT_TRUE(project->FindNode(rel));
  EXPECT_TRUE(graph->Parents("model.shop.rpt").count(rel));
  EXPECT_FALSE(graph->Parents("model.shop.fct").count(rel));
  EXPECT_EQ(graph->Order().size(), project->nodes().size());
}

}  // namespace
}  // namespace playlake::models
