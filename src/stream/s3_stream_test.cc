// Stream workers of one group writing one lake on S3 (s3/test_server.h), as
// workers on several machines do: each has its own cache; one is killed and
// the other takes its partitions. The lake then holds every offset the
// brokers hold exactly once.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <array>
#include <fstream>
#include <thread>

#include "s3/open_lake.h"
#include "s3/test_server.h"
#include "stream/mock_broker.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

using playlake::testing::Background;
using playlake::testing::RunPlaylake;
using playlake::testing::TempDir;
using namespace playlake::stream_test;

// The silver ranges of the lake at `location`, read as another machine would.
Ranges S3Ranges(const std::string& location, const std::filesystem::path& cache) {
  config::S3LakeConfig settings;
  settings.cache = cache;
  auto lake = s3::OpenLake(location, settings, {});
  return lake ? CommittedRanges(**lake, "silver") : Ranges();
}

TEST(StreamOnS3, TwoWorkersOneKilledHoldEveryOffsetOnce) {
  s3::TestS3Server server;
  ASSERT_FALSE(server.endpoint().empty());
  setenv("AWS_ACCESS_KEY_ID", s3::kTestAccessKey, 1);
  setenv("AWS_SECRET_ACCESS_KEY", s3::kTestSecretKey, 1);
  setenv("AWS_ENDPOINT_URL", server.endpoint().c_str(), 1);
  auto broker = MockBroker::Start({{"plays", 4}});
  ASSERT_TRUE(broker) << broker.error().message;
  const std::string bootstrap = (*broker)->bootstrap();
  TempDir dir;
  std::array<std::filesystem::path, 2> projects;
  std::array<std::unique_ptr<Background>, 2> workers;
  for (int i = 0; i < 2; ++i) {
    projects[i] = dir / fmt::format("machine{}", i);
    WriteKafkaProject(projects[i], bootstrap, "plays", "g");
    std::string yml = playlake::testing::ReadFile(projects[i] / "playlake.yml");
    yml.replace(yml.find("lake: lake\n"), 11, "lake: s3://lake/radio\ns3: {cache: cache}\n");
    std::ofstream(projects[i] / "playlake.yml") << yml;
    workers[i] = std::make_unique<Background>(
        std::vector<std::string>{"stream", "--project", projects[i].string()},
        dir / fmt::format("worker{}.log", i));
  }
  std::thread producer([&] {
    const auto produced = RunPlaylake(fmt::format(
        "generate --seed 5 --users 200 --events 3000 --rate 500 --realtime --quiet --kafka {} "
        "--topic plays",
        bootstrap));
    EXPECT_EQ(produced.exit_code, 0) << produced.stderr_text;
  });
  std::this_thread::sleep_for(std::chrono::seconds(3));
  const int pid = ChildPid(projects[1].string());
  ASSERT_GT(pid, 0) << "worker 1 is not running: " << workers[1]->log();
  ::kill(pid, SIGKILL);
  EXPECT_EQ(workers[1]->Stop(), 137);
  producer.join();

  const auto ends = EndOffsets(bootstrap, "plays");
  std::int64_t total = 0;
  for (const auto& [p, end] : ends) total += end;
  ASSERT_EQ(total, 3000);
  std::string problems = "not checked";
  for (int i = 0; i < 180 && !problems.empty(); ++i) {
    problems = CheckExactlyOnce(S3Ranges("s3://lake/radio", dir / "reader-cache"), ends);
    if (!problems.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  EXPECT_EQ(problems, "") << workers[0]->log();
  EXPECT_EQ(workers[0]->Stop(), 0) << workers[0]->log();
  EXPECT_EQ(Only(SqlRows(projects[0], "select count(*), count(distinct play_id) from plays")),
            "3000,3000");
}

}  // namespace
}  // namespace playlake::stream
