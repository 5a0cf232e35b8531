// `playlake spotify` run as a user runs it, against the fake Spotify API on
// 127.0.0.1: the test plays the browser.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <csignal>
#include <fstream>
#include <regex>
#include <thread>

#include "lake/faults.h"
#include "spotify/fake_spotify_api.h"
#include "spotify/test_lake.h"
#include "testing/testing.h"

namespace playlake {
namespace {

using spotify::testing::FakeSpotifyApi;
using testing::RunPlaylake;

std::string UrlFlags(const FakeSpotifyApi& fake) {
  return " --api-url " + fake.api_base() + " --accounts-url " + fake.accounts_base();
}

// Waits (20 s at most) until `log` has a line matching `pattern`; returns it.
std::string WaitForLine(const testing::Background& process, const std::regex& pattern) {
  for (int i = 0; i < 200; ++i) {
    std::smatch match;
    const std::string log = process.log();
    if (std::regex_search(log, match, pattern)) return match[0];
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return "";
}

httplib::Result Get(const std::string& url) {
  std::smatch match;
  static const std::regex kUrl(R"((http://127\.0\.0\.1:\d+)(/.*))");
  EXPECT_TRUE(std::regex_match(url, match, kUrl)) << url;
  httplib::Client client(match[1].str());
  return client.Get(match[2].str().c_str());
}

TEST(SpotifyCommand, EverySubcommandHasHelp) {
  const auto group = RunPlaylake("spotify --help");
  EXPECT_EQ(group.exit_code, 0);
  EXPECT_NE(group.stdout_text.find("login"), std::string::npos) << group.stdout_text;
  EXPECT_NE(group.stdout_text.find("get"), std::string::npos) << group.stdout_text;
  EXPECT_NE(group.stdout_text.find("pull"), std::string::npos) << group.stdout_text;
  EXPECT_NE(RunPlaylake("spotify pull --help").stdout_text.find("--project"), std::string::npos);
  for (const char* command : {"spotify login --help", "spotify get --help"}) {
    const auto run = RunPlaylake(command);
    EXPECT_EQ(run.exit_code, 0) << command;
    EXPECT_NE(run.stdout_text.find("--project"), std::string::npos) << command;
    EXPECT_NE(run.stdout_text.find("--api-url"), std::string::npos) << command;
  }
  EXPECT_NE(RunPlaylake("spotify login --help").stdout_text.find("--client-credentials"),
            std::string::npos);
}

TEST(SpotifyCommand, LoginKeepsTheRefreshTokenSecretAndGetUsesIt) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  testing::TempDir dir;
  std::ofstream(dir / "playlake.yml") << "name: listener\n";
  testing::Background login({"spotify", "login", "--project", dir.path().string(), "--client-id",
                             FakeSpotifyApi::kClientId, "--port", "0", "--no-browser", "--api-url",
                             fake.api_base(), "--accounts-url", fake.accounts_base()},
                            dir / "login.log");
  const std::string authorize =
      WaitForLine(login, std::regex(R"(http://127\.0\.0\.1:\d+/authorize\?\S+)"));
  ASSERT_FALSE(authorize.empty()) << login.log();
  httplib::Result redirect = Get(authorize);  // the browser: Spotify answers with a redirect
  ASSERT_TRUE(redirect);
  ASSERT_EQ(redirect->status, 302) << redirect->body;
  httplib::Result landed = Get(redirect->get_header_value("Location"));
  ASSERT_TRUE(landed);
  EXPECT_EQ(landed->status, 200);
  ASSERT_FALSE(WaitForLine(login, std::regex("Logged in")).empty()) << login.log();
  // It ends by itself; a SIGTERM while it exits would end it with 143.
  EXPECT_EQ(login.Wait(std::chrono::seconds(30)), 0) << login.log();

  struct stat info {};
  ASSERT_EQ(::stat((dir / "secrets.json").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_NE(testing::ReadFile(dir / ".gitignore").find("/secrets.json"), std::string::npos);
  const std::string secrets = testing::ReadFile(dir / "secrets.json");
  std::smatch refresh;
  ASSERT_TRUE(std::regex_search(secrets, refresh, std::regex("fake-refresh-[A-Za-z0-9-]+")))
      << secrets;
  EXPECT_EQ(login.log().find(refresh[0].str()), std::string::npos);
  EXPECT_EQ(login.log().find("fake-access"), std::string::npos);

  // A later command refreshes on its own from the saved token.
  const auto get = RunPlaylake("--log-level debug spotify get --project " + dir.path().string() +
                               UrlFlags(fake) + " /artists/0OdUWJ0sBjDrqHygGUXeCF");
  ASSERT_EQ(get.exit_code, 0) << get.stderr_text;
  EXPECT_NE(get.stdout_text.find("Band of Horses"), std::string::npos);
  EXPECT_EQ(fake.TokenRequests("refresh_token"), 1);
  EXPECT_EQ(get.stderr_text.find("fake-"), std::string::npos) << get.stderr_text;

  // Revoked in Spotify's account page: the user is told how to log in again.
  fake.RevokeRefreshTokens();
  const auto revoked = RunPlaylake("spotify get --project " + dir.path().string() + UrlFlags(fake) +
                                   " /artists/0OdUWJ0sBjDrqHygGUXeCF");
  EXPECT_EQ(revoked.exit_code, 3);
  EXPECT_NE(revoked.stderr_text.find("run `playlake spotify login` again"), std::string::npos)
      << revoked.stderr_text;
}

TEST(SpotifyCommand, ClientCredentialsTakeTheSecretFromTheEnvironmentOnly) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  testing::TempDir dir;
  std::ofstream(dir / "playlake.yml") << "name: catalog\n";
  const std::string env = std::string("SPOTIFY_CLIENT_ID=") + FakeSpotifyApi::kClientId +
                          " SPOTIFY_CLIENT_SECRET=" + FakeSpotifyApi::kClientSecret + " ";
  const auto login = testing::RunShell(env + testing::PlaylakeBinary() +
                                       " spotify login --client-credentials --project " +
                                       dir.path().string() + UrlFlags(fake));
  ASSERT_EQ(login.exit_code, 0) << login.stderr_text;
  EXPECT_EQ(testing::ReadFile(dir / "secrets.json").find(FakeSpotifyApi::kClientSecret),
            std::string::npos);
  const auto get =
      testing::RunShell(env + testing::PlaylakeBinary() + " spotify get --project " +
                        dir.path().string() + UrlFlags(fake) + " /tracks/3n3Ppam7vgaVa1iaRUc9Lp");
  ASSERT_EQ(get.exit_code, 0) << get.stderr_text;
  EXPECT_NE(get.stdout_text.find("Mr. Brightside"), std::string::npos);
  EXPECT_EQ(fake.TokenRequests("client_credentials"), 2);

  const auto no_secret = RunPlaylake("spotify login --client-credentials --client-id x --project " +
                                     dir.path().string() + UrlFlags(fake));
  EXPECT_EQ(no_secret.exit_code, 2);
  EXPECT_NE(no_secret.stderr_text.find("SPOTIFY_CLIENT_SECRET"), std::string::npos);
}

constexpr std::int64_t kFirstPlayMs = 1'715'760'000'000;  // 2024-05-15T08:00:00Z
constexpr std::int64_t kMinute = 60'000;

// No token the fake saw is in `text`.
void ExpectNoToken(const FakeSpotifyApi& fake, const std::string& text, const std::string& where) {
  const std::vector<std::string> tokens = spotify::testing::ReceivedTokens(fake);
  EXPECT_FALSE(tokens.empty());
  for (const std::string& token : tokens) {
    EXPECT_EQ(text.find(token), std::string::npos) << "a token is in " << where;
  }
}

TEST(SpotifyCommand, PullKilledAtAnyCommitStepLeavesNothingMissingOrDoubled) {
  for (std::string_view step : lake::kCrashSteps) {
    SCOPED_TRACE(step);
    FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
    testing::TempDir dir;
    spotify::testing::WriteSpotifyProject(dir.path(), fake, "[recently_played]");
    fake.AddPlays(20, kFirstPlayMs, kMinute);
    const std::string pull = "spotify pull --project " + dir.path().string();
    const auto killed = RunPlaylake(pull + " --crash-at " + std::string(step));
    EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << killed.stderr_text;
    fake.AddPlays(10, kFirstPlayMs + 20 * kMinute, kMinute);
    const auto rerun = RunPlaylake(pull);
    ASSERT_EQ(rerun.exit_code, 0) << rerun.stderr_text;
    EXPECT_NE(rerun.stdout_text.find("spotify source me:"), std::string::npos) << rerun.stdout_text;
    const auto plays =
        spotify::testing::CountSilver(dir / "lake", "spotify_plays", "played_at, track_id");
    EXPECT_EQ(plays.rows, 30);
    EXPECT_EQ(plays.keys, 30);
    ExpectNoToken(fake,
                  killed.stdout_text + killed.stderr_text + rerun.stdout_text + rerun.stderr_text +
                      spotify::testing::AllText(dir / "lake"),
                  "the logs or the lake");
  }
}

TEST(SpotifyCommand, RunPullsTheSourceAndReportsAGap) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  testing::TempDir dir;
  spotify::testing::WriteSpotifyProject(dir.path(), fake, "[recently_played]");
  fake.AddPlays(10, kFirstPlayMs, kMinute);
  const auto first = RunPlaylake("run --project " + dir.path().string());
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  EXPECT_NE(first.stderr_text.find("spotify_plays +10"), std::string::npos) << first.stderr_text;
  fake.AddPlays(60, kFirstPlayMs + 60 * kMinute, kMinute);
  const auto second = RunPlaylake("run --project " + dir.path().string());
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;
  EXPECT_NE(second.stderr_text.find(
                "plays between 2024-05-15T08:09:00Z and 2024-05-15T09:10:00Z may be missing"),
            std::string::npos)
      << second.stderr_text;
  // The run's record carries the warning too.
  const std::string runs = testing::ReadFile(dir / "target" / "runs.jsonl");
  EXPECT_NE(runs.find("may be missing"), std::string::npos) << runs;
  EXPECT_EQ(
      spotify::testing::CountSilver(dir / "lake", "spotify_plays", "played_at, track_id").keys, 60);
  ExpectNoToken(fake, first.stderr_text + second.stderr_text + runs, "the run's log or record");
}

}  // namespace
}  // namespace playlake
