#include "pipeline/run.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/testing.h"

namespace playlake::pipeline {
namespace {

TEST(Pipeline, RunsStepsInOrderAndRecordsTheRun) {
  testing::TempDir dir;
  std::vector<std::string> order;
  Pipeline p;
  ASSERT_TRUE(p.Add({"ingest", {}, [&]() -> Result<StepOutcome> {
                       order.push_back("ingest");
                       return StepOutcome{10, "10 plays"};
                     }}));
  ASSERT_TRUE(p.Add({"build", {"ingest"}, [&]() -> Result<StepOutcome> {
                       order.push_back("build");
                       return StepOutcome{3, ""};
                     }}));
  auto run = p.Run(dir / "target/runs.jsonl");
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, "success");
  EXPECT_EQ(order, (std::vector<std::string>{"ingest", "build"}));
  ASSERT_EQ(run->steps.size(), 2u);
  EXPECT_EQ(run->steps[0].rows, 10);

  ASSERT_TRUE(p.Run(dir / "target/runs.jsonl").has_value());
  std::ifstream in(dir / "target/runs.jsonl");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    auto json = nlohmann::json::parse(line);
    EXPECT_EQ(json["status"], "success");
    EXPECT_EQ(json["step_details"].size(), 2u);
    ++lines;
  }
  EXPECT_EQ(lines, 2);
}

TEST(Pipeline, RetriesWithBackoffThenSucceeds) {
  int calls = 0;
  Pipeline p;
  Step flaky{"fetch", {}, [&]() -> Result<StepOutcome> {
               if (++calls < 3) return Fail(ErrorCode::kIo, "broker down");
               return StepOutcome{};
             }};
  flaky.retries = 3;
  flaky.backoff = std::chrono::milliseconds(1);
  ASSERT_TRUE(p.Add(flaky));
  auto run = p.Run("");
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, "success");
  EXPECT_EQ(run->steps[0].attempts, 3);
}

TEST(Pipeline, AFailedStepSkipsItsDependantsAndFailsTheRun) {
  Pipeline p;
  bool later_ran = false, independent_ran = false;
  ASSERT_TRUE(p.Add(
      {"ingest", {}, []() -> Result<StepOutcome> { return Fail(ErrorCode::kIo, "disk full"); }}));
  ASSERT_TRUE(p.Add({"build", {"ingest"}, [&]() -> Result<StepOutcome> {
                       later_ran = true;
                       return StepOutcome{};
                     }}));
  ASSERT_TRUE(p.Add({"test", {"build"}, [&]() -> Result<StepOutcome> {
                       later_ran = true;
                       return StepOutcome{};
                     }}));
  ASSERT_TRUE(p.Add({"docs", {}, [&]() -> Result<StepOutcome> {
                       independent_ran = true;
                       return StepOutcome{};
                     }}));
  auto run = p.Run("");
  ASSERT_TRUE(run.has_value());
  EXPECT_EQ(run->status, "failed");
  EXPECT_FALSE(later_ran);
  EXPECT_TRUE(independent_ran);
  EXPECT_EQ(run->steps[1].status, "skipped");
  EXPECT_EQ(run->steps[2].status, "skipped");
  EXPECT_EQ(run->error, "ingest: disk full");
  EXPECT_EQ(run->error_code, ErrorCode::kIo);
  EXPECT_EQ(ToJson(*run)["cause"], "I/O error");
}

TEST(Pipeline, RefusesUnknownDependenciesAndDuplicateNames) {
  Pipeline p;
  auto noop = []() -> Result<StepOutcome> { return StepOutcome{}; };
  EXPECT_FALSE(p.Add({"build", {"ingest"}, noop}));
  ASSERT_TRUE(p.Add({"ingest", {}, noop}));
  EXPECT_FALSE(p.Add({"ingest", {}, noop}));
}

}  // namespace
}  // namespace playlake::pipeline
