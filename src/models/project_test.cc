#include "models/project.h"

#include <gtest/gtest.h>

#include "models/test_project.h"
#include "testing/testing.h"

namespace playlake::models {
namespace {

using models::testing::LoadFiles;
using playlake::testing::TempDir;

TEST(Project, FolderConfigYmlConfigAndFileConfigStackInDbtOrder) {
  TempDir dir;
  auto project = LoadFiles(
      dir.path(),
      {
          {"dbt_project.yml",
           "name: shop\nvars:\n  days: 7\nmodels:\n  shop:\n    +materialized: view\n    +tags: "
           "[base]\n"
           "    marts:\n      +materialized: table\n      +schema: marts\n      +tags: mart\n"},
          {"models/staging/stg_orders.sql", "select 1 as id"},
          {"models/marts/fct_orders.sql",
           "{{ config(tags=['daily']) }}select * from {{ ref('stg_orders') }}"},
          {"models/marts/fct_daily.sql",
           "{{ config(materialized='incremental', unique_key='id') }}select 1 as id"},
          {"models/marts/schema.yml",
           "version: 2\nmodels:\n  - name: fct_orders\n    description: one row per order\n    "
           "config:\n"
           "      alias: orders\n    columns:\n      - name: id\n        description: the key\n"},
      });
  ASSERT_TRUE(project) << project.error().message;
  const Node* stg = project->FindRefable("stg_orders");
  const Node* fct = project->FindRefable("fct_orders");
  const Node* daily = project->FindRefable("fct_daily");
  ASSERT_TRUE(stg && fct && daily);
  EXPECT_EQ(stg->unique_id, "model.shop.stg_orders");
  EXPECT_EQ(stg->materialized, Materialization::kView);
  EXPECT_EQ(stg->schema, "main");
  EXPECT_EQ(fct->materialized, Materialization::kTable);
  EXPECT_EQ(fct->schema, "main_marts");  // dbt's default generate_schema_name
  EXPECT_EQ(fct->alias, "orders");
  EXPECT_EQ(fct->tags, (std::vector<std::string>{"base", "mart", "daily"}));
  EXPECT_EQ(fct->description, "one row per order");
  ASSERT_EQ(fct->columns.size(), 1u);
  EXPECT_EQ(fct->depends_on, std::vector<std::string>{"model.shop.stg_orders"});
  EXPECT_EQ(daily->materialized, Materialization::kIncremental);
  EXPECT_EQ(daily->unique_key, std::vector<std::string>{"id"});
  EXPECT_EQ(project->vars().at("days").text, "7");
}

TEST(Project, SchemaYmlTestsInBothSyntaxes) {
  TempDir dir;
  auto project = LoadFiles(
      dir.path(), {
                      {"models/customers.sql", "select 1 as id"},
                      {"models/orders.sql", "select 1 as id, 1 as customer_id, 'placed' as status"},
                      {"models/schema.yml",
                       "version: 2\n"
                       "models:\n"
                       "  - name: orders\n"
                       "    columns:\n"
                       "      - name: id\n"
                       "        tests: [unique, not_null]\n"
                       "      - name: status\n"
                       "        data_tests:\n"
                       "          - accepted_values:\n"
                       "              values: ['placed', 'shipped']\n"
                       "              config: {severity: warn}\n"
                       "      - name: customer_id\n"
                       "        tests:\n"
                       "          - relationships:\n"
                       "              arguments: {to: ref('customers'), field: id}\n"},
                  });
  ASSERT_TRUE(project) << project.error().message;
  const Node* unique = project->FindNode("test.shop.unique_orders_id");
  ASSERT_TRUE(unique);
  EXPECT_EQ(unique->attached_node, "model.shop.orders");
  EXPECT_EQ(unique->severity, Severity::kError);
  const Node* values =
      project->FindNode("test.shop.accepted_values_orders_status__placed__shipped");
  ASSERT_TRUE(values);
  EXPECT_EQ(values->severity, Severity::kWarn);
  EXPECT_EQ(values->generic->values, (std::vector<std::string>{"placed", "shipped"}));
  const Node* rel =
      project->FindNode("test.shop.relationships_orders_customer_id__id__ref__customers__");
  ASSERT_TRUE(rel) << "tests found: " << project->nodes().size();
  EXPECT_EQ(rel->depends_on,
            (std::vector<std::string>{"model.shop.customers", "model.shop.orders"}));
  EXPECT_EQ(rel->generic->to, "model.shop.customers");
}

TEST(Project, RefInsideIncrementalBranchIsADependency) {
  TempDir dir;
  auto project = LoadFiles(dir.path(), {
                                           {"models/a.sql", "select 1 as x"},
                                           {"models/b.sql", "select 1 as x"},
                                           {"models/c.sql",
                                            "select * from {{ ref('a') }}{% if is_incremental() %} "
                                            "union all select * from {{ ref('b') }}"
                                            "{% endif %}"},
                                       });
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->FindRefable("c")->depends_on,
            (std::vector<std::string>{"model.shop.a", "model.shop.b"}));
}

TEST(Project, MacrosUnderMacroPathsAreCalledAndTheirRefsAreDependencies) {
  TempDir dir;
  auto project = LoadFiles(
      dir.path(),
      {
          {"macros/filters.sql",
           "{% macro new_rows(column) %}"
           "{% if is_incremental() %}where {{ column }} > (select max({{ column }}) from {{ this "
           "}})"
           "{% endif %}{% endmacro %}\n"
           "{% macro latest(column='loaded_at') %}(select max({{ column }}) from {{ ref('a') }})"
           "{% endmacro %}\n"},
          {"models/a.sql", "select 1 as loaded_at"},
          {"models/b.sql",
           "{{ config(materialized='incremental') }}select {{ latest() }} as x "
           "{{ new_rows('x') }}"},
      });
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->FindRefable("b")->depends_on, (std::vector<std::string>{"model.shop.a"}));
}

TEST(Project, SourcesMapToSchemaAndIdentifier) {
  TempDir dir;
  auto project = LoadFiles(
      dir.path(), {
                      {"models/sources.yml",
                       "version: 2\nsources:\n  - name: silver\n    schema: lake\n    tables:\n    "
                       "  - name: plays\n"
                       "        identifier: plays_v1\n        columns:\n          - name: "
                       "play_id\n            tests: [unique]\n"},
                      {"models/stg_plays.sql", "select * from {{ source('silver', 'plays') }}"},
                  });
  ASSERT_TRUE(project) << project.error().message;
  const Source* plays = project->FindSource("silver", "plays");
  ASSERT_TRUE(plays);
  EXPECT_EQ(plays->schema, "lake");
  EXPECT_EQ(plays->identifier, "plays_v1");
  EXPECT_EQ(project->FindRefable("stg_plays")->depends_on,
            std::vector<std::string>{"source.shop.silver.plays"});
  const Node* test = project->FindNode("test.shop.unique_source_silver_plays_play_id");
  ASSERT_TRUE(test);
  EXPECT_EQ(test->attached_node, "source.shop.silver.plays");
}

TEST(Project, DisabledModelsDisappear) {
  TempDir dir;
  auto project = LoadFiles(dir.path(), {{"models/a.sql", "{{ config(enabled=false) }}select 1"}});
  ASSERT_TRUE(project) << project.error().message;
  EXPECT_EQ(project->FindRefable("a"), nullptr);
}

TEST(Project, AVarDisablesAModelAndItsTests) {
  const testing::Files files = {
      {"models/a.sql", "{{ config(enabled=var('with_b')) }}select 1 as id"},
      {"models/b.sql", "{{ config(enabled=var('with_b')) }}select id from {{ ref('a') }}"},
      {"models/c.sql", "select 1 as id"},
      {"models/schema.yml",
       "version: 2\nmodels:\n  - name: b\n    columns:\n      - name: id\n        tests: [unique]\n"
       "  - name: c\n    columns:\n      - name: id\n        tests:\n          - unique\n"
       "          - relationships: {to: ref('b'), field: id}\n"}};
  for (const bool with_b : {false, true}) {
    TempDir dir;
    LoadOptions options;
    options.vars["with_b"] = Value::Bool(with_b);
    auto project = LoadFiles(dir.path(), files, options);
    ASSERT_TRUE(project) << project.error().message;
    EXPECT_EQ(project->FindRefable("b") != nullptr, with_b);
    EXPECT_EQ(project->FindNode("test.shop.unique_b_id") != nullptr, with_b);
    EXPECT_EQ(project->FindNode("test.shop.relationships_c_id__id__ref__b__") != nullptr, with_b);
    EXPECT_NE(project->FindNode("test.shop.unique_c_id"), nullptr);
  }
}

struct BadProject {
  const char* name;
  testing::Files files;
  const char* phrase;
};

class ProjectErrors : public ::testing::TestWithParam<BadProject> {};

TEST_P(ProjectErrors, AreConfigErrorsNamingTheFile) {
  TempDir dir;
  auto project = LoadFiles(dir.path(), GetParam().files);
  ASSERT_FALSE(project);
  EXPECT_EQ(project.error().code, ErrorCode::kConfig);
  EXPECT_NE(project.error().message.find(GetParam().phrase), std::string::npos)
      << project.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Project, ProjectErrors,
    ::testing::Values(
        BadProject{"UnknownRef",
                   {{"models/a.sql", "select\n* from {{ ref('nope') }}"}},
                   "a.sql:2: ref('nope')"},
        BadProject{"UndeclaredSource",
                   {{"models/a.sql", "select * from {{ source('s', 't') }}"}},
                   "not declared"},
        BadProject{"UnsupportedJinja",
                   {{"models/a.sql", "{% for i in x %}{% endfor %}"}},
                   "a.sql:1: unsupported"},
        BadProject{"BadMaterialization",
                   {{"models/a.sql", "{{ config(materialized='mv') }}select 1"}},
                   "materialized='mv'"},
        BadProject{"UnsupportedConfig",
                   {{"models/a.sql", "{{ config(post_hook='x') }}select 1"}},
                   "config 'post_hook' is not supported"},
        BadProject{
            "UnknownTest",
            {{"models/a.sql", "select 1 as id"},
             {"models/s.yml",
              "models:\n  - name: a\n    columns:\n      - name: id\n        tests: [positive]\n"}},
            "s.yml:5: test 'positive' is not supported"},
        BadProject{"DescribedModelWithoutFile",
                   {{"models/s.yml", "models:\n  - name: ghost\n"}},
                   "s.yml:2:"},
        BadProject{"SqlOutsideAMacro",
                   {{"macros/m.sql", "{% macro x() %}{% endmacro %}\nselect 1"}},
                   "m.sql:2: a macro file may hold only"},
        BadProject{"MacroDefinedTwice",
                   {{"macros/a.sql", "{% macro x() %}1{% endmacro %}"},
                    {"macros/b.sql", "{% macro x() %}2{% endmacro %}"}},
                   "macro x is already defined"},
        BadProject{"UnknownProjectKey",
                   {{"dbt_project.yml", "name: shop\non-run-start: x\n"}},
                   "on-run-start"},
        BadProject{"ListWhereTextBelongs",
                   {{"models/a.sql", "select 1 as id"},
                    {"models/s.yml",
                     "models:\n  - name: a\n    columns:\n      - name: id\n        tests:\n"
                     "          - accepted_values: {values: [1], quote: [x]}\n"}},
                   "s.yml:6: invalid YAML"},
        BadProject{"KeyGivenTwice",
                   {{"dbt_project.yml", "name: shop\nmodel-paths: [models]\nname: other\n"}},
                   "dbt_project.yml:3: key 'name' is given twice"},
        BadProject{"UnclosedQuote",
                   {{"models/a.sql", "select 1 as id"},
                    {"models/s.yml", "models:\n  - name: a\n    description: \"the a\n"}},
                   "s.yml:3: the quote"},
        BadProject{
            "SnapshotWithoutStrategy",
            {{"snapshots/s.sql",
              "{% snapshot s %}{{ config(unique_key='id') }}select 1 as id{% endsnapshot %}"}},
            "strategy"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(Project, ParseVarsTypesValues) {
  auto vars = ParseVars("{days: 7, country: 'SE', flag: true, list: [a, b]}");
  ASSERT_TRUE(vars) << vars.error().message;
  EXPECT_EQ(vars->at("days").kind, Value::Kind::kNumber);
  EXPECT_EQ(vars->at("country").text, "SE");
  EXPECT_EQ(vars->at("flag").kind, Value::Kind::kBool);
  EXPECT_EQ(vars->at("list").items.size(), 2u);
  EXPECT_FALSE(ParseVars("[1, 2]"));
}

}  // namespace
}  // namespace playlake::models
