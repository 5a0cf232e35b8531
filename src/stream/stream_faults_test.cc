// `playlake stream` under the faults of a real deployment, with real
// processes (the broker in its own process, producers, workers) and exact
// counts of (partition, offset) against what the brokers hold: a broker down
// and back, workers joining and leaving, a producer's retries duplicating
// messages.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <array>
#include <fstream>
#include <memory>
#include <set>
#include <thread>

#include "stream/mock_broker.h"
#include "stream/producer.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

using playlake::testing::Background;
using playlake::testing::CommandOutput;
using playlake::testing::ReadFile;
using playlake::testing::RunPlaylake;
using playlake::testing::RunShell;
using playlake::testing::TempDir;
using namespace playlake::stream_test;
using std::chrono::milliseconds;
using std::chrono::seconds;

// `playlake generate --kafka` of `events` plays at `rate` a second, on a
// thread of its own: events flow while the test breaks things.
class Producer {
 public:
  Producer(const std::string& bootstrap, int seed, int events, int rate)
      : thread_([this, bootstrap, seed, events, rate] {
          out_ = RunPlaylake(
              fmt::format("generate --seed {} --users 200 --events {} --rate {} --realtime --quiet "
                          "--kafka {} --topic plays",
                          seed, events, rate, bootstrap));
        }) {}
  ~Producer() {
    if (thread_.joinable()) thread_.join();
  }
  CommandOutput Join() {
    thread_.join();
    return out_;
  }

 private:
  CommandOutput out_;
  std::thread thread_;
};

std::int64_t Total(const std::map<int, std::int64_t>& ends) {
  std::int64_t total = 0;
  for (const auto& [p, end] : ends) total += end;
  return total;
}

// Every offset the brokers hold is in silver and bronze once, and silver
// holds `plays` plays, each once.
void ExpectEveryOffsetOnce(const std::filesystem::path& project, const std::string& bootstrap,
                           std::int64_t plays) {
  const auto ends = EndOffsets(bootstrap, "plays");
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(project / "lake", "silver"), ends), "");
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(project / "lake", "bronze"), ends), "");
  EXPECT_EQ(Only(SqlRows(project, "select count(*), count(distinct play_id) from plays")),
            fmt::format("{},{}", plays, plays));
}

// All brokers down for 6 s while the producer and the worker run, then back:
// nothing is lost or doubled, and the worker never stops.
TEST(StreamFaults, BrokersDownForSecondsAndBackHoldEveryOffsetOnce) {
  auto broker = MockBroker::Start({{"plays", 3}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  WriteKafkaProject(dir.path(), bootstrap, "plays", "g");
  Background stream({"stream", "--project", dir.path().string()}, dir / "stream.log");
  Producer producer(bootstrap, 7, 3000, 250);  // 12 s of plays
  std::this_thread::sleep_for(seconds(3));
  ASSERT_TRUE((*broker)->Command("down all"));
  std::this_thread::sleep_for(seconds(6));
  ASSERT_TRUE((*broker)->Command("up all"));
  const auto produced = producer.Join();
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  const auto ends = EndOffsets(bootstrap, "plays");
  // A produce request in flight when the brokers went down may have been
  // written and then retried: the topic then holds a message twice (one
  // offset more), which silver keeps once.
  ASSERT_GE(Total(ends), 3000);
  EXPECT_TRUE(WaitForOffsets(dir / "lake", ends, 90)) << stream.log();
  EXPECT_EQ(stream.Stop(), 0) << stream.log();
  ExpectEveryOffsetOnce(dir.path(), bootstrap, 3000);
}

// Three workers of one group on one lake, each stopped every few seconds in
// turn (SIGTERM or SIGKILL) and started again, for a minute while plays
// flow: every offset once.
TEST(StreamFaults, ThreeWorkersJoiningAndLeavingForAMinuteHoldEveryOffsetOnce) {
  auto broker = MockBroker::Start({{"plays", 4}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  // One project folder per worker (so each can be found by its command
  // line), all on one lake and one consumer group.
  std::filesystem::create_directories(dir / "lake");
  std::array<std::filesystem::path, 3> projects;
  for (int i = 0; i < 3; ++i) {
    projects[i] = dir / fmt::format("worker{}", i);
    WriteKafkaProject(projects[i], bootstrap, "plays", "g");
    std::filesystem::create_symlink(dir / "lake", projects[i] / "lake");
  }
  std::array<std::unique_ptr<Background>, 3> workers;
  int runs = 0;
  const auto start = [&](int i) {
    workers[i] = std::make_unique<Background>(
        std::vector<std::string>{"stream", "--project", projects[i].string()},
        dir / fmt::format("worker{}.run{}.log", i, ++runs));
  };
  for (int i = 0; i < 3; ++i) start(i);
  Producer producer(bootstrap, 11, 14000, 250);  // 56 s of plays
  int stopped = -1, killed = 0, terminated = 0;
  for (int step = 0; step < 15; ++step) {  // 15 steps of 4 s
    std::this_thread::sleep_for(seconds(4));
    if (stopped >= 0) start(stopped);  // the last one stopped joins again
    stopped = step % 3;
    if (step % 2 == 0) {
      const int pid = ChildPid(projects[stopped].string());
      ASSERT_GT(pid, 0) << "worker " << stopped << " is not running";
      ::kill(pid, SIGKILL);
      EXPECT_EQ(workers[stopped]->Stop(), 137);
      ++killed;
    } else {
      const std::string log = workers[stopped]->log();
      EXPECT_EQ(workers[stopped]->Stop(), 0) << "worker " << stopped << ": " << log;
      ++terminated;
    }
  }
  start(stopped);
  const auto produced = producer.Join();
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  const auto ends = EndOffsets(bootstrap, "plays");
  ASSERT_EQ(Total(ends), 14000);
  EXPECT_TRUE(WaitForOffsets(dir / "lake", ends, 90));
  for (auto& worker : workers) EXPECT_EQ(worker->Stop(), 0) << worker->log();
  EXPECT_EQ(killed, 8);
  EXPECT_EQ(terminated, 7);
  ExpectEveryOffsetOnce(projects[0], bootstrap, 14000);
}

// A producer without idempotence that retries sends a message again: here
// every tenth play right after itself, and the first 100 plays again later,
// after they landed. Silver holds each play once and loses none; the copies
// are in bronze, at their offsets.
TEST(StreamFaults, ProducerRetriesThatDuplicateMessagesAddNoPlay) {
  auto broker = MockBroker::Start({{"plays", 2}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  const auto generated = RunPlaylake("generate --seed 13 --users 40 --events 400 --quiet --out " +
                                     (dir / "plays.jsonl").string());
  ASSERT_EQ(generated.exit_code, 0) << generated.stderr_text;
  const auto plays = Lines(ReadFile(dir / "plays.jsonl"));
  ASSERT_EQ(plays.size(), 400u);
  std::ofstream first(dir / "first.txt"), again(dir / "again.txt");
  for (std::size_t i = 0; i < plays.size(); ++i) {
    const std::string keyed = std::string(ListenerKey(plays[i])) + '\t' + plays[i] + '\n';
    first << keyed;
    if (i % 10 == 0) first << keyed;  // a retry right behind the message
    if (i < 100) again << keyed;      // a retry of a whole batch, later
  }
  first.close();
  again.close();
  const auto produce = [&](const std::string& file) {
    const auto out =
        RunShell("kcat -P -b " + bootstrap + " -t plays -K '\t' < " + (dir / file).string());
    ASSERT_EQ(out.exit_code, 0) << out.stderr_text;
  };
  produce("first.txt");
  WriteKafkaProject(dir.path(), bootstrap, "plays", "g");
  Background stream({"stream", "--project", dir.path().string()}, dir / "stream.log");
  auto ends = EndOffsets(bootstrap, "plays");
  ASSERT_EQ(Total(ends), 440);
  ASSERT_TRUE(WaitForOffsets(dir / "lake", ends, 60)) << stream.log();
  produce("again.txt");
  ends = EndOffsets(bootstrap, "plays");
  ASSERT_EQ(Total(ends), 540);
  EXPECT_TRUE(WaitForOffsets(dir / "lake", ends, 60)) << stream.log();
  EXPECT_EQ(stream.Stop(), 0) << stream.log();

  // Every offset once in silver and bronze; every play once in silver.
  ExpectEveryOffsetOnce(dir.path(), bootstrap, 400);
  std::set<std::string> produced_ids;
  for (const auto& play : plays) {
    const auto at = play.find("\"event_id\":\"") + 12;
    produced_ids.insert(play.substr(at, play.find('"', at) - at));
  }
  const auto ids = SqlRows(dir.path(), "select play_id from plays");
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()), produced_ids);
  EXPECT_EQ(Only(SqlRows(dir.path(), "select count(*) from quarantine")), "0");
}

}  // namespace
}  // namespace playlake::stream
