#include "stream/mock_broker.h"

#include <gtest/gtest.h>
#include <signal.h>

#include "testing/testing.h"

namespace playlake::stream {
namespace {

using playlake::testing::RunShell;

TEST(MockBroker, ServesTopicsOverTcpAndStopsByPid) {
  auto broker = MockBroker::Start({{"plays", 3}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  ASSERT_TRUE(bootstrap.starts_with("127.0.0.1:")) << bootstrap;
  // An independent client sees the topic and its three partitions.
  const auto listing = RunShell("kcat -b " + bootstrap + " -L -t plays -m 10");
  ASSERT_EQ(listing.exit_code, 0) << listing.stderr_text;
  EXPECT_NE(listing.stdout_text.find("topic \"plays\" with 3 partitions"), std::string::npos)
      << listing.stdout_text;
  const int pid = (*broker)->pid();
  broker->reset();
  EXPECT_NE(::kill(pid, 0), 0) << "the broker process is still running";
}

// `down all` refuses clients until `up all`; a bad command is an error.
TEST(MockBroker, TakesBrokersDownAndUpOnCommand) {
  auto broker = MockBroker::Start({{"plays", 1}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string list = "kcat -b " + (*broker)->bootstrap() + " -L -t plays -m 3";
  ASSERT_TRUE((*broker)->Command("down all"));
  const auto down = RunShell(list);
  EXPECT_NE(down.exit_code, 0) << down.stdout_text;
  ASSERT_TRUE((*broker)->Command("up all"));
  const auto up = RunShell(list);
  EXPECT_EQ(up.exit_code, 0) << up.stderr_text;
  EXPECT_NE(up.stdout_text.find("topic \"plays\" with 1 partitions"), std::string::npos);
  const auto refused = (*broker)->Command("down 7");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("no broker '7'"), std::string::npos)
      << refused.error().message;
}

TEST(MockBroker, RefusesBadTopicsWithAClearMessage) {
  auto broker = MockBroker::Start({{"plays", 0}});
  ASSERT_FALSE(broker);
  EXPECT_NE(broker.error().message.find("did not start"), std::string::npos)
      << broker.error().message;
  EXPECT_NE(broker.error().message.find("--topic takes NAME:PARTITIONS"), std::string::npos)
      << broker.error().message;
}

}  // namespace
}  // namespace playlake::stream
