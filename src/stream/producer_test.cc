#include "stream/producer.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>

#include "stream/mock_broker.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

using playlake::testing::RunPlaylake;
using playlake::testing::RunShell;
using playlake::testing::TempDir;
using playlake::stream_test::Lines;

TEST(ListenerKey, ReadsPlaylakeAndEventsimListeners) {
  EXPECT_EQ(ListenerKey(R"({"event_id":"e1","user_id":"u42","ts":1})"), "u42");
  EXPECT_EQ(ListenerKey(R"({"ts":1,"userId":"1138","page":"NextSong"})"), "1138");
  EXPECT_EQ(ListenerKey(R"({"userId": 77, "page":"NextSong"})"), "77");
  EXPECT_EQ(ListenerKey(R"({"event_id":"e1"})"), "");
  EXPECT_EQ(ListenerKey(R"({"user_id":"unterminated)"), "");
}

// generate --kafka produces exactly the lines generate writes to a file, one
// message each, keyed by listener; kcat reads them back.
TEST(GenerateKafka, ProducesEveryPlayKeyedByListener) {
  auto broker = MockBroker::Start({{"plays", 3}});
  ASSERT_TRUE(broker) << broker.error().message;
  TempDir dir;
  const std::string common = "generate --seed 7 --users 50 --events 600 --quiet";
  const auto file = RunPlaylake(common + " --out " + (dir / "plays.jsonl").string());
  ASSERT_EQ(file.exit_code, 0) << file.stderr_text;
  const auto produced =
      RunPlaylake(common + " --kafka " + (*broker)->bootstrap() + " --topic plays");
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  EXPECT_NE(produced.stderr_text.find("600 messages delivered"), std::string::npos)
      << produced.stderr_text;

  const auto read =
      RunShell("kcat -C -b " + (*broker)->bootstrap() + " -t plays -e -q -f '%p\\t%k\\t%s\\n'");
  ASSERT_EQ(read.exit_code, 0) << read.stderr_text;
  std::multiset<std::string> expected;
  for (const auto& line : Lines(playlake::testing::ReadFile(dir / "plays.jsonl"))) {
    expected.insert(std::string(ListenerKey(line)) + "\t" + line);
  }
  std::multiset<std::string> got;
  std::map<std::string, std::set<std::string>> partitions_of_key;
  for (const auto& row : Lines(read.stdout_text)) {
    const auto tab = row.find('\t');
    const std::string key_and_value = row.substr(tab + 1);
    const std::string key = key_and_value.substr(0, key_and_value.find('\t'));
    got.insert(key_and_value);
    partitions_of_key[key].insert(row.substr(0, tab));
  }
  EXPECT_EQ(got.size(), 600u);
  EXPECT_TRUE(got == expected) << "the messages differ from the generated lines";
  for (const auto& [key, partitions] : partitions_of_key) {
    EXPECT_FALSE(key.empty());
    EXPECT_EQ(partitions.size(), 1u) << "listener " << key << " is spread over partitions";
  }
  EXPECT_GT(partitions_of_key.size(), 10u);
}

TEST(GenerateKafka, UndeliveredMessagesFailTheCommand) {
  std::string bootstrap;
  {
    auto broker = MockBroker::Start({{"plays", 1}});
    ASSERT_TRUE(broker) << broker.error().message;
    bootstrap = (*broker)->bootstrap();
  }  // the broker is gone: nothing can be delivered
  const auto produced =
      RunPlaylake("generate --seed 7 --users 20 --events 50 --quiet --kafka " + bootstrap +
                  " --topic plays --kafka-property message.timeout.ms=1500");
  EXPECT_NE(produced.exit_code, 0);
  EXPECT_NE(produced.stderr_text.find("50 of 50 messages were not delivered"), std::string::npos)
      << produced.stderr_text;
}

TEST(GenerateKafka, RefusesABadProperty) {
  const auto produced = RunPlaylake(
      "generate --events 5 --quiet --kafka 127.0.0.1:1 --topic t --kafka-property no.such=1");
  EXPECT_EQ(produced.exit_code, 3) << produced.stderr_text;
  EXPECT_NE(produced.stderr_text.find("Kafka property no.such"), std::string::npos)
      << produced.stderr_text;
}

}  // namespace
}  // namespace playlake::stream
