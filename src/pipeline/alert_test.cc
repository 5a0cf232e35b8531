#include "pipeline/alert.h"

#include <gtest/gtest.h>

#include <fstream>

#include "testing/testing.h"

namespace playlake::pipeline {
namespace {

RunRecord Record(const std::string& status, const std::string& error = "") {
  return {"20261203T120000-abcd",
          "2026-12-03T12:00:00Z",
          "2026-12-03T12:00:09Z",
          status,
          9.0,
          {},
          error};
}

TEST(AlertFor, AFailedRunAndTheFirstSuccessAfterOneCallForAnAlert) {
  const auto failed = AlertFor("radio", Record("failed", "build: 1 failed"), "success");
  ASSERT_TRUE(failed.has_value());
  EXPECT_EQ((*failed)["event"], "run_failed");
  EXPECT_EQ((*failed)["project"], "radio");
  EXPECT_EQ((*failed)["text"], "Playlake radio: run 20261203T120000-abcd failed: build: 1 failed");
  EXPECT_EQ((*failed)["run"]["error"], "build: 1 failed");
  // Every failed run is reported, also one after a failure.
  EXPECT_TRUE(AlertFor("radio", Record("failed", "x"), "failed").has_value());
  EXPECT_TRUE(AlertFor("radio", Record("failed", "x"), "").has_value());

  const auto recovered = AlertFor("radio", Record("success"), "failed");
  ASSERT_TRUE(recovered.has_value());
  EXPECT_EQ((*recovered)["event"], "run_recovered");

  EXPECT_FALSE(AlertFor("radio", Record("success"), "success").has_value());
  EXPECT_FALSE(AlertFor("radio", Record("success"), "").has_value());
}

TEST(LastRunStatus, IsTheStatusOfTheLastRecordedRun) {
  testing::TempDir dir;
  EXPECT_EQ(LastRunStatus(dir / "runs.jsonl"), "");
  ASSERT_TRUE(AppendRun(dir / "runs.jsonl", Record("success")));
  ASSERT_TRUE(AppendRun(dir / "runs.jsonl", Record("failed", "ingest: disk full")));
  EXPECT_EQ(LastRunStatus(dir / "runs.jsonl"), "failed");
  // Read from the end: a history longer than the 1 MB read, a trailing blank line.
  for (int i = 0; i < 8000; ++i) ASSERT_TRUE(AppendRun(dir / "runs.jsonl", Record("failed", "x")));
  ASSERT_TRUE(AppendRun(dir / "runs.jsonl", Record("success")));
  std::ofstream(dir / "runs.jsonl", std::ios::app) << "\n";
  EXPECT_EQ(LastRunStatus(dir / "runs.jsonl"), "success");
}

TEST(PostWebhook, PostsTheJsonBody) {
  testing::WebhookReceiver receiver;
  ASSERT_TRUE(PostWebhook(receiver.url(), {{"text", "hello"}, {"n", 1}}));
  const auto bodies = receiver.bodies();
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(nlohmann::json::parse(bodies[0]), (nlohmann::json{{"text", "hello"}, {"n", 1}}));
}

TEST(PostWebhook, TriesAgainAfterAServerError) {
  testing::WebhookReceiver receiver({503});
  ASSERT_TRUE(PostWebhook(receiver.url(), {{"text", "again"}}));
  EXPECT_EQ(receiver.bodies().size(), 2u);
}

TEST(PostWebhook, ARefusalIsAnErrorThatNamesTheHostButNotTheSecretPath) {
  testing::WebhookReceiver receiver({404});
  auto sent = PostWebhook(receiver.url(), {{"text", "x"}});
  ASSERT_FALSE(sent.has_value());
  EXPECT_EQ(sent.error().code, ErrorCode::kIo);
  EXPECT_NE(sent.error().message.find("127.0.0.1"), std::string::npos) << sent.error().message;
  EXPECT_NE(sent.error().message.find("HTTP 404"), std::string::npos) << sent.error().message;
  EXPECT_EQ(sent.error().message.find("secret-token"), std::string::npos) << sent.error().message;
  // A 4xx is not retried: the request itself is wrong.
  EXPECT_EQ(receiver.bodies().size(), 1u);
}

TEST(PostWebhook, AServerThatIsNotThereIsAnError) {
  auto sent = PostWebhook("http://127.0.0.1:1/hooks/x", {{"text", "x"}});
  ASSERT_FALSE(sent.has_value());
  EXPECT_NE(sent.error().message.find("cannot deliver the alert"), std::string::npos);
}

}  // namespace
}  // namespace playlake::pipeline
