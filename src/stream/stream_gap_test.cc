// Offsets the brokers no longer hold: deleted before a worker read them
// (the test broker keeps about 5 MiB per partition and drops the oldest
// past it), or a topic whose offsets went backwards (recreated). Real broker
// processes, the real binary, exact offsets.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "stream/mock_broker.h"
#include "stream/stream_monitor.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

using playlake::testing::Background;
using playlake::testing::ReadFile;
using playlake::testing::RunPlaylake;
using playlake::testing::RunShell;
using playlake::testing::TempDir;
using namespace playlake::stream_test;

void Produce(const std::string& bootstrap, int events, int seed) {
  const auto produced =
      RunPlaylake(fmt::format("generate --seed {} --users 50 --events {} --quiet --kafka {} "
                              "--topic plays",
                              seed, events, bootstrap));
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
}

// The first offset partition 0 of `plays` still holds.
std::int64_t LowOffset(const std::string& bootstrap) {
  const auto out = RunShell(
      fmt::format("kcat -C -b {} -t plays -p 0 -o beginning -c 1 -e -q -f '%o\\n'", bootstrap));
  return std::stoll(out.stdout_text.empty() ? "-1" : out.stdout_text);
}

// Waits up to `seconds` for `text` in the log of `process`.
bool WaitForLog(const Background& process, const std::string& text, int seconds) {
  for (int i = 0; i < seconds * 20; ++i) {
    if (process.log().find(text) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Streams `project` until the lake holds `ends`; returns the exit status.
int StreamUntil(const std::filesystem::path& project, const std::map<int, std::int64_t>& ends,
                const std::filesystem::path& log) {
  Background stream({"stream", "--project", project.string()}, log);
  EXPECT_TRUE(WaitForOffsets(project / "lake", ends, 90)) << stream.log();
  return stream.Stop();
}

// Messages the broker dropped (retention) while no worker ran: the lake's
// record covers them, but as one quarantine row naming the range, never as
// read; the plays after them land once; /metrics counts them. With
// on_offset_gap: stop the worker stops first and records nothing.
TEST(StreamGap, OffsetsDeletedBeforeTheyWereReadAreQuarantinedNotTakenAsRead) {
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  const auto project = dir / "project";
  WriteKafkaProject(project, bootstrap, "plays", "g1");
  Produce(bootstrap, 300, 1);
  ASSERT_EQ(StreamUntil(project, {{0, 300}}, dir / "first.log"), 0);

  // About 9 MB more while no worker runs: the broker drops the oldest.
  Produce(bootstrap, 25'000, 2);
  const auto ends = EndOffsets(bootstrap, "plays");
  ASSERT_EQ(ends.at(0), 25'300);
  const std::int64_t low = LowOffset(bootstrap);
  ASSERT_GT(low, 300) << "the broker kept every message: nothing to test";
  const std::string lost =
      fmt::format("offsets 300..{} ({} messages) were deleted by the broker", low - 1, low - 300);

  {  // on_offset_gap: stop
    const std::string yml = ReadFile(project / "playlake.yml");
    AddKafkaKey(project, "on_offset_gap: stop");
    Background stream({"stream", "--project", project.string()}, dir / "stop.log");
    EXPECT_TRUE(WaitForLog(stream, "on_offset_gap: stop", 60)) << stream.log();
    EXPECT_EQ(stream.Stop(), 5) << stream.log();  // kData
    EXPECT_NE(stream.log().find("kafka:plays/0: " + lost), std::string::npos) << stream.log();
    EXPECT_EQ(CommittedRanges(project / "lake", "silver"), (Ranges{{0, {{0, 299}}}}));
    std::ofstream(project / "playlake.yml") << yml;
  }

  Background stream({"stream", "--project", project.string()}, dir / "gap.log");
  EXPECT_TRUE(WaitForOffsets(project / "lake", ends, 90)) << stream.log();
  EXPECT_EQ(stream.Stop(), 0) << stream.log();
  EXPECT_NE(stream.log().find("kafka:plays/0: " + lost), std::string::npos) << stream.log();
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(project / "lake", "silver"), ends), "");
  // One row for the gap, with its first offset as its line; no other row.
  EXPECT_EQ(SqlRows(project, "select reason, line, source_file, raw_length from quarantine"),
            (std::vector<std::string>{fmt::format("deleted_by_broker,300,kafka:plays/0,0")}));
  EXPECT_EQ(Only(SqlRows(project, "select detail from quarantine")),
            fmt::format("offsets 300..{} of kafka:plays/0 ({} messages) were deleted by the "
                        "broker before they were read",
                        low - 1, low - 300));
  // Every play read, once: 300 before the gap, low..25299 after it.
  EXPECT_EQ(Only(SqlRows(project, "select count(*), count(distinct play_id) from plays")),
            fmt::format("{},{}", 300 + 25'300 - low, 300 + 25'300 - low));

  auto lake = lake::Lake::OpenLocal(project / "lake", ScratchLake());
  ASSERT_TRUE(lake) << lake.error().message;
  config::SourceConfig source;
  source.name = "live";
  source.format = "playlake";
  source.kafka = config::KafkaSourceConfig{};
  source.kafka->brokers = bootstrap;
  source.kafka->topics = {"plays"};
  auto monitor = StreamMonitor::Create(**lake, source, {});
  ASSERT_TRUE(monitor) << monitor.error().message;
  auto figures = (*monitor)->Read();
  ASSERT_TRUE(figures) << figures.error().message;
  EXPECT_EQ(figures->offsets_lost, low - 300);
  ASSERT_EQ(figures->partitions.size(), 1u);
  EXPECT_EQ(figures->partitions[0].landed_events, 25'300 - (low - 300));
  EXPECT_EQ(figures->partitions[0].lag, 0);
}

// The topic was deleted and created again (here: a new broker, fewer
// messages than the lake holds): the worker stops with an error naming the
// partition and both offsets, and reads nothing again.
TEST(StreamGap, BrokerOffsetsGoingBackwardsStopTheWorker) {
  TempDir dir;
  const auto project = dir / "project";
  {
    auto broker = MockBroker::Start({{"plays", 1}});
    ASSERT_TRUE(broker) << broker.error().message;
    WriteKafkaProject(project, (*broker)->bootstrap(), "plays", "g1");
    Produce((*broker)->bootstrap(), 50, 1);
    ASSERT_EQ(StreamUntil(project, {{0, 50}}, dir / "first.log"), 0);
  }
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  Produce((*broker)->bootstrap(), 10, 2);
  WriteKafkaProject(project, (*broker)->bootstrap(), "plays", "g1");
  Background stream({"stream", "--project", project.string()}, dir / "again.log");
  EXPECT_TRUE(WaitForLog(stream, "went backwards", 60)) << stream.log();
  EXPECT_EQ(stream.Stop(), 5) << stream.log();  // kData
  EXPECT_NE(stream.log().find("kafka:plays/0: the brokers' offsets went backwards: they end at "
                              "offset 10 but the lake holds offsets up to 49"),
            std::string::npos)
      << stream.log();
  EXPECT_EQ(CommittedRanges(project / "lake", "silver"), (Ranges{{0, {{0, 49}}}}));
  EXPECT_EQ(Only(SqlRows(project, "select count(*) from plays")), "50");
}

}  // namespace
}  // namespace playlake::stream
