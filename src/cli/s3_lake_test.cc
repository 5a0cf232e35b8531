// The commands on a lake in S3 (`lake: s3://bucket/prefix`), against a real S3
// server on 127.0.0.1 (s3/test_server.h): the same answers as a local lake, a
// crashed writer leaves nothing visible and vacuum cleans up after it.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>

#include "cli/test_util.h"
#include "s3/test_server.h"
#include "testing/testing.h"

namespace playlake {
namespace {

using testing::RealData;
using testing::RunPlaylake;
using testing::TempDir;

class S3LakeCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(server_.endpoint().empty());
    // What every playlake started below reads its credentials and store from.
    setenv("AWS_ACCESS_KEY_ID", s3::kTestAccessKey, 1);
    setenv("AWS_SECRET_ACCESS_KEY", s3::kTestSecretKey, 1);
    setenv("AWS_ENDPOINT_URL", server_.endpoint().c_str(), 1);
    setenv("XDG_CACHE_HOME", (dir_ / "cache").c_str(), 1);
  }

  // `playlake sql QUERY --lake LAKE --format csv`'s output.
  std::string Sql(const std::string& lake, const std::string& query) {
    const auto run = RunPlaylake("sql \"" + query + "\" --lake " + lake + " --format csv");
    EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
    return run.stdout_text;
  }

  TempDir dir_;
  s3::TestS3Server server_;
};

TEST_F(S3LakeCommands, IngestAndSqlAnswerAsOnALocalLake) {
  const std::string inputs = (RealData() / "sparkify/log_data").string() + " " +
                             (RealData() / "spotify_history/StreamingHistory3.json").string();
  const std::string local = (dir_ / "lake").string();
  for (const std::string& lake : {std::string("s3://lake/radio"), local}) {
    const auto run = RunPlaylake("ingest " + inputs + " --lake " + lake + " --user ana --json");
    ASSERT_EQ(run.exit_code, 0) << lake << ": " << run.stderr_text;
  }
  const std::string query = "SELECT count(*), count(DISTINCT user_id), sum(ms_played) FROM plays";
  const std::string answer = Sql(local, query);
  EXPECT_EQ(Sql("s3://lake/radio", query), answer);
  EXPECT_NE(answer.find('\n'), std::string::npos);
  // A second machine (another cache) reads the same lake.
  setenv("XDG_CACHE_HOME", (dir_ / "another-cache").c_str(), 1);
  EXPECT_EQ(Sql("s3://lake/radio", query), answer);

  // Ingesting again commits nothing.
  const auto again = RunPlaylake("ingest " + inputs + " --lake s3://lake/radio --user ana --json");
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_EQ(nlohmann::json::parse(again.stdout_text)["outcomes"]["committed"], nullptr)
      << again.stdout_text;
  EXPECT_EQ(Sql("s3://lake/radio", query), answer);
}

TEST_F(S3LakeCommands, AWriterKilledBeforeItsCommitLeavesNothingAndVacuumCleansUp) {
  const std::string day = cli_test::SparkifyDay("2018-11-02").string();
  const auto crashed =
      RunPlaylake("ingest " + day + " --lake s3://lake/radio --crash-at silver-synced");
  ASSERT_NE(crashed.exit_code, 0);
  EXPECT_EQ(Sql("s3://lake/radio", "SELECT count(*) FROM plays"), "count_star()\n0\n");
  auto client = server_.Client();
  const auto before = client->List("radio/silver/");
  ASSERT_TRUE(before);
  EXPECT_FALSE(before->empty()) << "the crashed writer uploaded its silver files";

  const auto vacuum = RunPlaylake("vacuum --lake s3://lake/radio --older-than 0s");
  ASSERT_EQ(vacuum.exit_code, 0) << vacuum.stderr_text;
  const auto after = client->List("radio/silver/");
  ASSERT_TRUE(after);
  EXPECT_TRUE(after->empty()) << after->front().key;

  const auto retried = RunPlaylake("ingest " + day + " --lake s3://lake/radio");
  ASSERT_EQ(retried.exit_code, 0) << retried.stderr_text;
  EXPECT_NE(Sql("s3://lake/radio", "SELECT count(*) FROM plays"), "count_star()\n0\n");
}

TEST_F(S3LakeCommands, AProjectOnS3RunsThePipelineToGold) {
  const auto project = dir_ / "radio";
  cli_test::WriteModelProject(project, "listeners",
                              "select count(distinct user_id) as n from silver.plays",
                              "models:\n  - name: listeners\n", "s3://lake/projects/radio");
  std::string yml = testing::ReadFile(project / "playlake.yml");
  cli_test::WriteText(project / "playlake.yml", yml + "s3:\n  cache: .lake-cache\n");
  const auto run = RunPlaylake("run --project " + project.string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto gold = RunPlaylake("sql --gold --format csv 'SELECT n FROM listeners' --project " +
                                project.string());
  const auto silver =
      RunPlaylake("sql --format csv 'SELECT count(distinct user_id) AS n FROM plays' --project " +
                  project.string());
  EXPECT_EQ(gold.stdout_text, silver.stdout_text) << gold.stderr_text << silver.stderr_text;
  EXPECT_NE(gold.stdout_text, "n\n0\n");
  auto manifests = server_.Client()->List("projects/radio/_manifests/silver/");
  ASSERT_TRUE(manifests);
  EXPECT_FALSE(manifests->empty());
  EXPECT_FALSE(std::filesystem::exists(project / "lake"));  // nothing landed locally
  EXPECT_TRUE(std::filesystem::exists(project / ".lake-cache"));
}

}  // namespace
}  // namespace playlake
