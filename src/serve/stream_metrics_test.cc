#include "serve/stream_metrics.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

stream::StreamFigures TwoPartitions() {
  stream::StreamFigures f;
  f.source = "live";
  f.topics = {"plays"};
  f.brokers_answered = true;
  f.partitions.push_back({"plays", 0, 120, 120, 1'764'950'400'250'000, 130, 10, 0});
  f.partitions.push_back({"plays", 1, 0, 0, 0, 7, 7, 3});
  f.events_per_second = 2;
  f.last_commit_us = 1'764'950'400'250'000;
  f.lag = 17;
  f.offsets_lost = 3;
  return f;
}

TEST(StreamMetrics, WritesEachFigureInPrometheusText) {
  const std::string text = StreamMetricsText(TwoPartitions());
  for (const char* line : {
           "playlake_stream_brokers_up 1\n",
           "playlake_stream_partition_committed_offset{topic=\"plays\",partition=\"0\"} 120\n",
           "playlake_stream_partition_end_offset{topic=\"plays\",partition=\"1\"} 7\n",
           "playlake_stream_partition_lag_messages{topic=\"plays\",partition=\"0\"} 10\n",
           "playlake_stream_partition_landed_events_total{topic=\"plays\",partition=\"0\"} 120\n",
           "playlake_stream_partition_last_commit_timestamp_seconds{topic=\"plays\",partition="
           "\"0\"} 1764950400.25\n",
           "playlake_stream_lag_messages 17\n",
           "playlake_stream_partition_offsets_lost_total{topic=\"plays\",partition=\"1\"} 3\n",
           "playlake_stream_offsets_lost_total 3\n",
           "playlake_stream_landed_events_per_second 2\n",
           "playlake_stream_last_commit_timestamp_seconds 1764950400.25\n",
           "# TYPE playlake_stream_partition_landed_events_total counter\n",
       }) {
    EXPECT_NE(text.find(line), std::string::npos) << line << " not in\n" << text;
  }
  // A partition that never committed has no commit time.
  EXPECT_EQ(text.find("last_commit_timestamp_seconds{topic=\"plays\",partition=\"1\"}"),
            std::string::npos)
      << text;
}

TEST(StreamMetrics, LeavesOutWhatBrokersThatDidNotAnswerCannotTell) {
  auto f = TwoPartitions();
  f.brokers_answered = false;
  f.broker_error = "the brokers did not answer: Local: Timed out";
  f.lag.reset();
  for (auto& p : f.partitions) {
    p.end_offset.reset();
    p.lag.reset();
  }
  const std::string text = StreamMetricsText(f);
  EXPECT_NE(text.find("playlake_stream_brokers_up 0\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("playlake_stream_partition_lag_messages{"), std::string::npos) << text;
  EXPECT_EQ(text.find("playlake_stream_partition_end_offset{"), std::string::npos) << text;
  EXPECT_EQ(text.find("playlake_stream_lag_messages "), std::string::npos) << text;
  EXPECT_NE(text.find("committed_offset{topic=\"plays\",partition=\"0\"} 120\n"),
            std::string::npos);
  const auto json = StreamFiguresJson(f);
  EXPECT_EQ(json["brokers"]["answered"], false);
  EXPECT_EQ(json["brokers"]["error"], f.broker_error);
  EXPECT_TRUE(json["lag"].is_null());
  EXPECT_TRUE(json["partitions"][0]["lag"].is_null());
}

TEST(StreamMetrics, AnswersThePipelinePagesJson) {
  const auto json = StreamFiguresJson(TwoPartitions());
  EXPECT_EQ(json["available"], true);
  EXPECT_EQ(json["source"], "live");
  EXPECT_EQ(json["lag"], 17);
  EXPECT_EQ(json["events_per_second"], 2.0);
  EXPECT_EQ(json["last_commit_at"], "2025-12-05T16:00:00Z");
  ASSERT_EQ(json["partitions"].size(), 2u);
  EXPECT_EQ(json["partitions"][0]["end_offset"], 130);
  EXPECT_EQ(json["partitions"][0]["landed_events"], 120);
  EXPECT_TRUE(json["partitions"][1]["last_commit_at"].is_null());
}

}  // namespace
}  // namespace playlake::serve
