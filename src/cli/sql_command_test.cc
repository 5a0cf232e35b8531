// `playlake sql` as a user meets it: names that silver and gold share, and
// values that are lists or structs.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/test_util.h"
#include "testing/testing.h"

namespace playlake {
namespace {

using testing::RunPlaylake;
using testing::TempDir;

TEST(SqlCommand, GoldTableWinsOverTheSilverViewOfTheSameName) {
  TempDir dir;
  // A gold model named like silver's `users` view.
  cli_test::WriteModelProject(dir.path(), "users", "select 'gold' as origin",
                              "models:\n  - name: users\n");
  const std::string project = " --project " + dir.path().string();
  const auto run = RunPlaylake("run" + project);
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;

  auto gold = RunPlaylake("sql --gold --format csv 'SELECT origin FROM users'" + project);
  ASSERT_EQ(gold.exit_code, 0) << gold.stderr_text;
  EXPECT_EQ(gold.stdout_text, "origin\ngold\n");
  // The silver view stays reachable by its schema, with and without --gold.
  for (const std::string flags : {" --gold", ""}) {
    const auto silver = RunPlaylake(
        "sql" + flags + " --format csv 'SELECT count(*) > 0 AS any FROM silver.users'" + project);
    ASSERT_EQ(silver.exit_code, 0) << flags << silver.stderr_text;
    EXPECT_EQ(silver.stdout_text, "any\ntrue\n") << flags;
  }
  const auto plain =
      RunPlaylake("sql --format csv 'SELECT count(*) > 0 AS any FROM users'" + project);
  EXPECT_EQ(plain.stdout_text, "any\ntrue\n") << plain.stderr_text;
}

TEST(SqlCommand, ListsAndStructsPrintAsJson) {
  TempDir dir;
  cli_test::WriteModelProject(dir.path(), "listeners", "select 1 as one", "models: []\n");
  const std::string project = " --project " + dir.path().string();
  ASSERT_EQ(RunPlaylake("ingest" + project).exit_code, 0);
  const std::string query =
      " 'SELECT [1, 2] AS ids, struct_pack(level := level, n := 2) AS info, 7 AS seven "
      "FROM plays WHERE level = '\\''free'\\'' LIMIT 1 -- a comment'";
  const auto json = RunPlaylake("sql --format json" + query + project);
  ASSERT_EQ(json.exit_code, 0) << json.stderr_text;
  EXPECT_EQ(nlohmann::json::parse(json.stdout_text),
            nlohmann::json::parse(R"([{"ids": [1, 2], "info": {"level": "free", "n": 2},
                                      "seven": 7}])"));
  const auto csv = RunPlaylake("sql --format csv" + query + project);
  ASSERT_EQ(csv.exit_code, 0) << csv.stderr_text;
  EXPECT_EQ(csv.stdout_text,
            "ids,info,seven\n\"[1,2]\",\"{\"\"level\"\":\"\"free\"\",\"\"n\"\":2}\",7\n");
}

}  // namespace
}  // namespace playlake
