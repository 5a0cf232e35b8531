// StreamMonitor against a real broker process and a lake a real `playlake
// stream` filled: lag, events landed and commit times exact; a broker that is
// down shows as such.
#include "stream/stream_monitor.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "stream/mock_broker.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

using playlake::testing::Background;
using playlake::testing::RunPlaylake;
using playlake::testing::TempDir;
using namespace playlake::stream_test;

config::SourceConfig KafkaSource(const std::string& brokers) {
  config::SourceConfig source;
  source.name = "live";
  source.format = "playlake";
  source.kafka = config::KafkaSourceConfig{};
  source.kafka->brokers = brokers;
  source.kafka->topics = {"plays"};
  return source;
}

std::int64_t Total(const std::map<int, std::int64_t>& ends) {
  std::int64_t total = 0;
  for (const auto& [p, end] : ends) total += end;
  return total;
}

TEST(StreamMonitor, ReportsLagLandedEventsAndABrokerThatIsDown) {
  auto broker = MockBroker::Start({{"plays", 3}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  const auto produce = [&](int seed, int events) {
    const auto out = RunPlaylake(
        fmt::format("generate --seed {} --users 30 --events {} --quiet --kafka {} --topic plays",
                    seed, events, bootstrap));
    ASSERT_EQ(out.exit_code, 0) << out.stderr_text;
  };
  produce(1, 120);
  const auto landed = EndOffsets(bootstrap, "plays");
  ASSERT_EQ(Total(landed), 120);
  WriteKafkaProject(dir.path(), bootstrap, "plays", "g");
  {
    Background stream({"stream", "--project", dir.path().string()}, dir / "stream.log");
    ASSERT_TRUE(WaitForOffsets(dir / "lake", landed, 60)) << stream.log();
    ASSERT_EQ(stream.Stop(), 0) << stream.log();
  }
  produce(2, 45);  // on the brokers, not in the lake
  const auto ends = EndOffsets(bootstrap, "plays");
  ASSERT_EQ(Total(ends), 165);

  // The commits happened within the last minute of this clock; none two
  // minutes later.
  auto shift = std::chrono::seconds(0);
  lake::LakeOptions options = ScratchLake();
  options.clock = [&shift] { return std::chrono::system_clock::now() + shift; };
  auto lake = lake::Lake::OpenLocal(dir / "lake", options);
  ASSERT_TRUE(lake) << lake.error().message;
  auto monitor = StreamMonitor::Create(**lake, KafkaSource(bootstrap), {});
  ASSERT_TRUE(monitor) << monitor.error().message;
  auto figures = (*monitor)->Read();
  ASSERT_TRUE(figures) << figures.error().message;
  EXPECT_TRUE(figures->brokers_answered) << figures->broker_error;
  ASSERT_EQ(figures->partitions.size(), 3u);
  std::int64_t newest_commit = 0;
  for (const auto& p : figures->partitions) {
    SCOPED_TRACE(p.partition);
    EXPECT_EQ(p.topic, "plays");
    EXPECT_EQ(p.committed_offset, landed.at(p.partition));
    EXPECT_EQ(p.landed_events, landed.at(p.partition));
    EXPECT_EQ(p.end_offset, ends.at(p.partition));
    EXPECT_EQ(p.lag, ends.at(p.partition) - landed.at(p.partition));
    if (landed.at(p.partition) > 0) {
      EXPECT_GT(p.last_commit_us, 0);
    }
    newest_commit = std::max(newest_commit, p.last_commit_us);
  }
  EXPECT_EQ(figures->lag, 45);
  EXPECT_EQ(figures->last_commit_us, newest_commit);
  EXPECT_DOUBLE_EQ(figures->events_per_second, 120.0 / 60);

  shift = std::chrono::minutes(2);
  ASSERT_TRUE((*broker)->Command("down all"));
  figures = (*monitor)->Read();
  ASSERT_TRUE(figures) << figures.error().message;
  EXPECT_FALSE(figures->brokers_answered);
  EXPECT_NE(figures->broker_error.find("the brokers did not"), std::string::npos)
      << figures->broker_error;
  EXPECT_EQ(figures->lag, std::nullopt);
  EXPECT_DOUBLE_EQ(figures->events_per_second, 0);
  std::int64_t committed = 0;
  for (const auto& p : figures->partitions) {
    committed += p.committed_offset;
    EXPECT_EQ(p.end_offset, std::nullopt);
  }
  EXPECT_EQ(committed, 120);  // the lake's figures still hold

  ASSERT_TRUE((*broker)->Command("up all"));
  for (int i = 0; i < 20 && !(figures = (*monitor)->Read()).value().brokers_answered; ++i) {
  }
  EXPECT_TRUE(figures->brokers_answered) << figures->broker_error;
  EXPECT_EQ(figures->lag, 45);
}

}  // namespace
}  // namespace playlake::stream
