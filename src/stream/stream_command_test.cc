// `playlake stream` as a user runs it: a real broker process, real producers
// (kcat and `playlake generate --kafka`), the real binary, exact offsets.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "stream/mock_broker.h"
#include "stream/producer.h"
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

// Plays from kcat (an independent client) land once each; messages that are
// not valid events are quarantined with topic, partition and offset.
TEST(StreamCommand, KcatMessagesLandOnceAndBadOnesAreQuarantinedByOffset) {
  auto broker = MockBroker::Start({{"plays", 2}});
  ASSERT_TRUE(broker) << broker.error().message;
  TempDir dir;
  const auto generated = RunPlaylake("generate --seed 3 --users 40 --events 200 --quiet --out " +
                                     (dir / "plays.jsonl").string());
  ASSERT_EQ(generated.exit_code, 0) << generated.stderr_text;
  // key<TAB>value lines, three bad messages among them.
  const std::vector<std::string> bad = {"not json at all", R"({"event_id":"no-fields"})",
                                        R"({"event_id":"e","ts":"yesterday","user_id":"u",)", ""};
  std::ofstream keyed(dir / "keyed.txt");
  int n = 0;
  for (const auto& line : Lines(ReadFile(dir / "plays.jsonl"))) {
    keyed << ListenerKey(line) << '\t' << line << '\n';
    if (++n % 50 == 0) keyed << "bad" << n << '\t' << bad[n / 50 - 1] << '\n';
  }
  keyed.close();
  const std::string bootstrap = (*broker)->bootstrap();
  const auto produced =
      RunShell("kcat -P -b " + bootstrap + " -t plays -K '\t' < " + (dir / "keyed.txt").string());
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  const auto ends = EndOffsets(bootstrap, "plays");
  std::int64_t total = 0;
  for (const auto& [p, end] : ends) total += end;
  ASSERT_EQ(total, 204);

  const auto project = dir / "project";
  WriteKafkaProject(project, bootstrap, "plays", "g1");
  AddKafkaKey(project, "dedupe_budget_bytes: 33554432");
  Background stream({"stream", "--project", project.string()}, dir / "stream.log");
  EXPECT_TRUE(WaitForOffsets(project / "lake", ends, 60)) << stream.log();
  EXPECT_EQ(stream.Stop(), 0) << stream.log();
  EXPECT_NE(stream.log().find("MB in memory (budget 32 MiB)"), std::string::npos) << stream.log();

  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(project / "lake", "silver"), ends), "");
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(project / "lake", "bronze"), ends), "");
  EXPECT_EQ(Only(SqlRows(project, "select count(*), count(distinct play_id) from plays")),
            "200,200");
  // Where kcat says the bad messages are.
  std::set<std::string> expected;
  const auto read = RunShell("kcat -C -b " + bootstrap + " -t plays -e -q -f '%p,%o,%k\\n'");
  for (const auto& row : Lines(read.stdout_text)) {
    const auto last = row.rfind(',');
    if (row.substr(last + 1).starts_with("bad")) {
      const auto first = row.find(',');
      expected.insert("kafka:plays/" + row.substr(0, first) + "," +
                      row.substr(first + 1, last - first - 1));
    }
  }
  ASSERT_EQ(expected.size(), 4u) << read.stdout_text;
  const auto quarantined = SqlRows(project, "select source_file, line from quarantine");
  EXPECT_EQ(std::set<std::string>(quarantined.begin(), quarantined.end()), expected);
  // The empty message is there too, as what silver read: `null`.
  EXPECT_EQ(Only(SqlRows(project, "select reason from quarantine where raw_length = 4")),
            "not_an_object");
}

// SIGTERM commits the batches in flight (here: a flush interval far away)
// and exits 0; the next worker goes on from there.
TEST(StreamCommand, SigtermCommitsWhatIsInFlight) {
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  TempDir dir;
  const auto produced = RunPlaylake("generate --seed 5 --users 10 --events 30 --quiet --kafka " +
                                    (*broker)->bootstrap() + " --topic plays");
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  WriteKafkaProject(dir.path(), (*broker)->bootstrap(), "plays", "g1", 3'600'000);
  {
    Background stream({"--log-level", "debug", "stream", "--project", dir.path().string()},
                      dir / "stream.log");
    for (int i = 0; i < 600 && stream.log().find("batch from offset") == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_NE(stream.log().find("batch from offset 0"), std::string::npos) << stream.log();
    EXPECT_TRUE(CommittedRanges(dir / "lake", "silver").empty());
    EXPECT_EQ(stream.Stop(), 0) << stream.log();
  }
  // The batch it held: offsets 0 to what it had read, all 30 or fewer when the
  // stop came between two fetches (under a sanitizer at load, 25 once), once.
  const auto held = CommittedRanges(dir / "lake", "silver");
  ASSERT_EQ(held.size(), 1u);
  ASSERT_EQ(held.at(0).size(), 1u);
  const std::int64_t end = held.at(0).front().second + 1;
  EXPECT_EQ(CheckExactlyOnce(held, {{0, end}}), "");
  EXPECT_EQ(Only(SqlRows(dir.path(), "select count(*) from plays")), std::to_string(end));
  // A worker started after it takes the rest, nothing twice.
  WriteKafkaProject(dir.path(), (*broker)->bootstrap(), "plays", "g1");
  Background rest({"stream", "--project", dir.path().string()}, dir / "rest.log");
  for (int i = 0; i < 1200 && rest.log().find("stream: assigned") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_NE(rest.log().find("stream: assigned kafka:plays/0 from offset " + std::to_string(end) +
                                  " (the lake's record)"),
            std::string::npos)
      << rest.log();
  EXPECT_TRUE(WaitForOffsets(dir / "lake", {{0, 30}}, 60)) << rest.log();
  EXPECT_EQ(rest.Stop(), 0) << rest.log();
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(dir / "lake", "silver"), {{0, 30}}), "");
  EXPECT_EQ(Only(SqlRows(dir.path(), "select count(*) from plays")), "30");
}

// A batch is cut at the message that brings it to flush_bytes, not at the
// worker's next look at its batches: at a backlog's pace that came hundreds
// of kilobytes later and overflowed the batch's buffer. Each committed batch
// but the last holds flush_bytes or more, and less without its last message.
TEST(StreamCommand, ABatchIsCutAtTheMessageThatFillsIt) {
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  const auto produced = RunPlaylake("generate --seed 9 --users 50 --events 3000 --quiet --kafka " +
                                    bootstrap + " --topic plays");
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  // Each offset's line in a batch: the message and a line break.
  std::vector<std::int64_t> line_bytes;
  for (const auto& size :
       Lines(RunShell("kcat -C -b " + bootstrap + " -t plays -p 0 -o beginning -e -q -f '%S\\n'")
                 .stdout_text)) {
    line_bytes.push_back(std::stoll(size) + 1);
  }
  const auto end = static_cast<std::int64_t>(line_bytes.size());
  ASSERT_GE(end, 2900);
  constexpr std::int64_t kFlushBytes = 16384;
  WriteKafkaProject(dir.path(), bootstrap, "plays", "g1", 3'600'000);  // cut by size alone
  AddKafkaKey(dir.path(), fmt::format("flush_bytes: {}", kFlushBytes));
  {
    Background stream({"stream", "--project", dir.path().string()}, dir / "stream.log");
    // Full batches commit as they fill (about 30 messages each); the last one,
    // within 100 messages of the end, when the worker stops.
    for (int i = 0; i < 1200; ++i) {
      const auto ranges = CommittedRanges(dir / "lake", "silver");
      if (ranges.contains(0) && ranges.at(0).back().second + 1 + 100 >= end) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_EQ(stream.Stop(), 0) << stream.log();
  }
  // The stop commits what the worker had read: the last few messages may
  // still have been on their way.
  const auto ranges = CommittedRanges(dir / "lake", "silver");
  ASSERT_TRUE(ranges.contains(0));
  const std::int64_t held = ranges.at(0).back().second + 1;
  ASSERT_GE(held, end - 100);
  ASSERT_EQ(CheckExactlyOnce(ranges, {{0, held}}), "");
  const auto& batches = ranges.at(0);
  ASSERT_GT(batches.size(), 10u);
  for (std::size_t b = 0; b + 1 < batches.size(); ++b) {
    const auto [first, last] = batches[b];
    std::int64_t bytes = 0;
    for (std::int64_t o = first; o <= last; ++o) bytes += line_bytes[o];
    EXPECT_GE(bytes, kFlushBytes) << "batch " << first << ".." << last;
    EXPECT_LT(bytes - line_bytes[last], kFlushBytes) << "batch " << first << ".." << last;
  }
}

// kill -9 at each named step of a commit, then a restart: every produced
// event is in silver exactly once, by offset and by play.
TEST(StreamCommand, KilledAtEachCommitStepThenRestartedHoldsEveryOffsetOnce) {
  auto broker = MockBroker::Start({{"plays", 2}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  const std::vector<std::string> steps = {
      "bronze-written", "bronze-synced",    "bronze-committed",   "silver-staged",
      "silver-synced",  "silver-committed", "offsets-committing", "offsets-committed"};
  int run = 0;
  for (const auto& step : steps) {
    ++run;
    const auto produced =
        RunPlaylake("generate --users 20 --events 40 --quiet --seed " + std::to_string(run) +
                    " --kafka " + bootstrap + " --topic plays");
    ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
    // A fresh group each time: the worker must seek from the lake, not Kafka.
    WriteKafkaProject(dir.path(), bootstrap, "plays", "g" + std::to_string(run));
    const auto crashed =
        RunPlaylake("stream --project " + dir.path().string() + " --crash-at " + step);
    EXPECT_EQ(crashed.exit_code, 137) << step << ": " << crashed.stderr_text;
  }
  WriteKafkaProject(dir.path(), bootstrap, "plays", "g1");  // an old group: Kafka's offsets lag
  const auto ends = EndOffsets(bootstrap, "plays");
  Background stream({"stream", "--project", dir.path().string()}, dir / "stream.log");
  EXPECT_TRUE(WaitForOffsets(dir / "lake", ends, 60)) << stream.log();
  EXPECT_EQ(stream.Stop(), 0) << stream.log();
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(dir / "lake", "silver"), ends), "");
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(dir / "lake", "bronze"), ends), "");
  EXPECT_EQ(Only(SqlRows(dir.path(), "select count(*), count(distinct play_id) from plays")),
            "320,320");
}

// With the brokers gone, a stop still commits what is in flight to the lake,
// and exits in seconds: librdkafka's offset commit and close would wait for
// them up to the group's session timeout (45 s here, librdkafka's default).
TEST(StreamCommand, SigtermWithTheBrokersGoneCommitsAndExitsInSeconds) {
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  TempDir dir;
  const auto produced = RunPlaylake("generate --seed 6 --users 10 --events 30 --quiet --kafka " +
                                    (*broker)->bootstrap() + " --topic plays");
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  WriteKafkaProject(dir.path(), (*broker)->bootstrap(), "plays", "g1", 3'600'000);
  std::string yml = ReadFile(dir / "playlake.yml");
  const std::string session = "session.timeout.ms: 6000";
  ASSERT_NE(yml.find(session), std::string::npos);
  yml.replace(yml.find(session), session.size(), "session.timeout.ms: 45000");
  std::ofstream(dir / "playlake.yml") << yml;
  Background stream({"--log-level", "debug", "stream", "--project", dir.path().string()},
                    dir / "stream.log");
  for (int i = 0; i < 600 && stream.log().find("batch from offset 0") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(stream.log().find("batch from offset 0"), std::string::npos) << stream.log();
  (*broker).reset();  // the brokers go
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const auto stopping = std::chrono::steady_clock::now();
  EXPECT_EQ(stream.Stop(), 0) << stream.log();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(30)) << stream.log();
  EXPECT_NE(stream.log().find("stopping without leaving the consumer group"), std::string::npos)
      << stream.log();
  const auto held = CommittedRanges(dir / "lake", "silver");
  ASSERT_EQ(held.size(), 1u) << stream.log();
  ASSERT_EQ(held.at(0).size(), 1u);
  const std::int64_t end = held.at(0).front().second + 1;
  EXPECT_EQ(CheckExactlyOnce(held, {{0, end}}), "");
  EXPECT_EQ(Only(SqlRows(dir.path(), "select count(*) from plays")), std::to_string(end));
}

// A worker stopped (SIGSTOP) past the session timeout loses its partition;
// another worker commits the range; the first, woken (SIGCONT), has its batch
// in flight refused: nothing overwritten, nothing extra.
TEST(StreamCommand, AZombiesBatchIsRefused) {
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  const auto produced = RunPlaylake("generate --seed 9 --users 10 --events 50 --quiet --kafka " +
                                    bootstrap + " --topic plays");
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  // Two projects on one lake: the zombie-to-be holds its batch for an hour.
  WriteKafkaProject(dir / "a", bootstrap, "plays", "g", 3'600'000);
  WriteKafkaProject(dir / "b", bootstrap, "plays", "g", 200);
  // The next worker commits a few messages a batch, so no batch of its can be
  // the zombie's (0..49 or more): one that were would be a replay, taken as
  // already committed rather than refused.
  AddKafkaKey(dir / "b", "flush_bytes: 1024");
  std::filesystem::create_directories(dir / "lake");
  std::filesystem::create_symlink(dir / "lake", dir / "a" / "lake");
  std::filesystem::create_symlink(dir / "lake", dir / "b" / "lake");

  Background a({"--log-level", "debug", "stream", "--project", (dir / "a").string()},
               dir / "a.log");
  for (int i = 0; i < 600 && a.log().find("batch from offset 0") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_NE(a.log().find("batch from offset 0"), std::string::npos) << a.log();
  const int zombie = ChildPid((dir / "a").string());
  ASSERT_GT(zombie, 0);
  ::kill(zombie, SIGSTOP);
  // More plays while it sleeps: the next worker commits 0..69, past the zombie's batch.
  const auto more = RunPlaylake("generate --seed 10 --users 10 --events 20 --quiet --kafka " +
                                bootstrap + " --topic plays");
  ASSERT_EQ(more.exit_code, 0) << more.stderr_text;
  Background b({"stream", "--project", (dir / "b").string()}, dir / "b.log");
  EXPECT_TRUE(WaitForOffsets(dir / "lake", {{0, 70}}, 60)) << b.log();
  ::kill(zombie, SIGCONT);
  // The woken worker learns of the rebalance, then commits on revocation: up to
  // a minute under a sanitizer on a loaded machine (20 s ran out once).
  for (int i = 0; i < 1200 && a.log().find("refused") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // Its batch starts at 0 and holds 0..49, or a message or two more of the
  // second round when it reads them after waking, before the revocation.
  EXPECT_NE(a.log().find("stream: batch 0.."), std::string::npos) << a.log();
  EXPECT_NE(a.log().find(" refused: kafka:plays/0: the lake holds offsets up to 69"),
            std::string::npos)
      << a.log();
  EXPECT_EQ(a.Stop(), 0) << a.log();
  EXPECT_EQ(b.Stop(), 0) << b.log();
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(dir / "lake", "silver"), {{0, 70}}), "");
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(dir / "lake", "bronze"), {{0, 70}}), "");
  EXPECT_EQ(Only(SqlRows(dir / "b", "select count(*) from plays")), "70");
}

}  // namespace
}  // namespace playlake::stream
