// `playlake build|test|snapshot|docs` through the real binary, on testdata/shop.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace playlake {
namespace {

using testing::ReadFile;
using testing::RunPlaylake;
using testing::TempDir;

// A playlake project whose models are the shop fixture.
class Commands : public ::testing::Test {
 protected:
  void SetUp() override {
    std::ofstream(dir_ / "playlake.yml")
        << "name: shop\nwarehouse: wh.duckdb\nthreads: 2\nmodels: " << PLAYLAKE_MODELS_TESTDATA
        << "/shop\n";
  }
  testing::CommandOutput Run(const std::string& args) {
    return RunPlaylake(args + " --project " + dir_.path().string());
  }
  TempDir dir_;
};

TEST_F(Commands, BuildRunsEverythingAndWritesArtifacts) {
  const auto run = Run("build");
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("OK created sql table model main.customer_orders"),
            std::string::npos)
      << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("OK snapshotted snapshot snapshots.customers_snapshot"),
            std::string::npos);
  EXPECT_NE(run.stderr_text.find("Done. PASS="), std::string::npos);
  const auto results = nlohmann::json::parse(ReadFile(dir_ / "target" / "run_results.json"));
  EXPECT_EQ(results["results"].size(),
            18u);  // 2 seeds, 4 models (+1 ephemeral), 1 snapshot, 11 tests
  for (const auto& r : results["results"]) {
    EXPECT_TRUE(r["status"] == "success" || r["status"] == "pass") << r.dump();
  }
  EXPECT_TRUE(std::filesystem::exists(dir_ / "target" / "manifest.json"));
  EXPECT_TRUE(std::filesystem::exists(dir_ / "target" / "openlineage.jsonl"));

  // Incremental second run, with a selection.
  const auto again = Run("build --select +orders_incremental --json");
  EXPECT_EQ(again.exit_code, 0) << again.stderr_text;
  const auto json = nlohmann::json::parse(again.stdout_text);
  EXPECT_EQ(json["args"]["which"], "build");
  EXPECT_EQ(json["results"].size(), 9u) << again.stderr_text;
}

TEST_F(Commands, TestExitsSevenWhenATestFails) {
  ASSERT_EQ(Run("build").exit_code, 0);
  const auto ok = Run("test");
  EXPECT_EQ(ok.exit_code, 0) << ok.stderr_text;
  const auto failing = Run("test --vars \"{max_amount: 30}\"");
  EXPECT_EQ(failing.exit_code, 7) << failing.stderr_text;
  EXPECT_NE(failing.stderr_text.find("FAIL 1 assert_order_amount_below_max"), std::string::npos)
      << failing.stderr_text;
  EXPECT_NE(failing.stderr_text.find("data test(s) failed"), std::string::npos);
}

TEST_F(Commands, SnapshotAndDocs) {
  ASSERT_EQ(Run("build --select raw_customers").exit_code, 0);
  const auto snapshot = Run("snapshot");
  EXPECT_EQ(snapshot.exit_code, 0) << snapshot.stderr_text;
  EXPECT_NE(snapshot.stderr_text.find("1 of 1 OK snapshotted"), std::string::npos)
      << snapshot.stderr_text;
  const auto docs = Run("docs");
  EXPECT_EQ(docs.exit_code, 0) << docs.stderr_text;
  for (const char* file : {"manifest.json", "lineage.json", "lineage.dot"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_ / "target" / file)) << file;
  }
}

TEST_F(Commands, BadSelectorIsAUsageError) {
  const auto run = Run("build --select tag:nope");
  EXPECT_EQ(run.exit_code, 2) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("tag:nope"), std::string::npos);
}

TEST_F(Commands, EveryCommandAnswersHelp) {
  for (const char* command : {"build", "test", "snapshot", "docs"}) {
    const auto run = RunPlaylake(std::string(command) + " --help");
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_NE(run.stdout_text.find("--project"), std::string::npos) << command;
  }
}

}  // namespace
}  // namespace playlake
