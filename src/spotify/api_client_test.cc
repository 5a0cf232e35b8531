// ApiClient against the fake Spotify API on 127.0.0.1: paging, retries,
// Retry-After, timeouts, token refresh and concurrency, over real sockets.
#include "spotify/api_client.h"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <map>
#include <sstream>
#include <thread>

#include "spotify/fake_spotify_api.h"
#include "spotify/oauth.h"

namespace playlake::spotify {
namespace {

using std::chrono::milliseconds;
using testing::FakeSpotifyApi;

constexpr int kPlaylistItems = 50;  // the captured Top 50

ClientOptions FastOptions(const FakeSpotifyApi& fake) {
  ClientOptions options;
  options.api_base = fake.api_base();
  options.accounts_base = fake.accounts_base();
  options.backoff_base = milliseconds(20);
  options.backoff_max = milliseconds(200);
  options.connect_timeout = milliseconds(2000);
  options.total_timeout = milliseconds(5000);
  options.max_attempts = 4;
  options.jitter_seed = 7;
  return options;
}

// A refresher backed by a refresh token the fake issued, as `login` leaves it.
TokenRefresher Refresher(FakeSpotifyApi& fake, const ClientOptions& options) {
  return [&fake, options, refresh = fake.IssueRefreshToken()]() -> Result<std::string> {
    Result<TokenSet> tokens = RefreshAccessToken(options, FakeSpotifyApi::kClientId, refresh);
    if (!tokens) return tl::unexpected(tokens.error());
    return tokens->access_token;
  };
}

std::string PlaylistPath(int limit) {
  return std::string("/playlists/") + FakeSpotifyApi::kPlaylistId +
         "/items?offset=0&limit=" + std::to_string(limit);
}

// Walks the playlist and counts how often each track id was seen.
ApiResult<int> CollectItems(ApiClient& client, int limit, std::map<std::string, int>& seen) {
  return client.ForEachPage(PlaylistPath(limit), [&](const nlohmann::json& page) -> Status {
    for (const auto& item : page.at("items")) ++seen[item.at("track").at("id").get<std::string>()];
    return {};
  });
}

TEST(ApiClient, FollowsEveryPageUntilNextIsNullSeeingEachItemOnce) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  ApiClient client(FastOptions(fake), fake.IssueAccessToken(), nullptr);
  std::map<std::string, int> seen;
  ApiResult<int> pages = CollectItems(client, 20, seen);
  ASSERT_TRUE(pages) << pages.error().error.message;
  EXPECT_EQ(*pages, 3);  // 20 + 20 + 10
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kPlaylistItems));
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(fake.Requests("/v1/playlists"), 3);  // the minimum: one per page
  EXPECT_EQ(client.requests_sent(), 3);
}

TEST(ApiClient, WaitsRetryAfterThenRetries) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.FailNext("/v1/tracks", 429, 1, "2");
  ApiClient client(FastOptions(fake), fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> track = client.GetJson("/tracks/3n3Ppam7vgaVa1iaRUc9Lp");
  ASSERT_TRUE(track) << track.error().error.message;
  EXPECT_EQ(track->at("name"), "Mr. Brightside");
  const auto times = fake.RequestTimes("/v1/tracks");
  ASSERT_EQ(times.size(), 2u);
  const auto gap = std::chrono::duration_cast<milliseconds>(times[1] - times[0]);
  EXPECT_GE(gap.count(), 1900);  // Retry-After: 2, less a little clock slack
  EXPECT_LT(gap.count(), 60'000);
}

TEST(ApiClient, RetryAfterPastTheCapIsADistinctErrorWithoutWaiting) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.FailNext("/v1/tracks", 429, 1, "3600");
  ClientOptions options = FastOptions(fake);
  options.retry_after_cap = std::chrono::seconds(30);
  ApiClient client(options, fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> track = client.GetJson("/tracks/3n3Ppam7vgaVa1iaRUc9Lp");
  ASSERT_FALSE(track);
  EXPECT_EQ(track.error().kind, ApiErrorKind::kRateLimitedPastCap);
  EXPECT_EQ(track.error().retry_after, std::chrono::seconds(3600));
  EXPECT_NE(track.error().error.message.find("3600 s"), std::string::npos)
      << track.error().error.message;
  EXPECT_EQ(fake.Requests("/v1/tracks"), 1);
}

TEST(ApiClient, RetriesServerErrorsThenSucceeds) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.FailNext("/v1/artists", 500);
  fake.FailNext("/v1/artists", 502);
  fake.FailNext("/v1/artists", 503);
  ApiClient client(FastOptions(fake), fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> artist = client.GetJson("/artists/0OdUWJ0sBjDrqHygGUXeCF");
  ASSERT_TRUE(artist) << artist.error().error.message;
  EXPECT_EQ(artist->at("name"), "Band of Horses");
  EXPECT_EQ(fake.Requests("/v1/artists"), 4);  // 1 + 3 retries
}

TEST(ApiClient, GivesUpAfterMaxAttemptsWithAClearError) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.FailNext("/v1/albums", 503, 100);
  ClientOptions options = FastOptions(fake);
  options.max_attempts = 3;
  ApiClient client(options, fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> album = client.GetJson("/albums/0sNOF9WDwhWunNAHPD3Baj?market=ES");
  ASSERT_FALSE(album);
  EXPECT_EQ(album.error().kind, ApiErrorKind::kRetriesExhausted);
  EXPECT_EQ(album.error().http_status, 503);
  EXPECT_NE(album.error().error.message.find("failed 3 times, last: HTTP 503"), std::string::npos)
      << album.error().error.message;
  EXPECT_EQ(album.error().error.message.find("market=ES"), std::string::npos);  // no query
  EXPECT_EQ(fake.Requests("/v1/albums"), 3);
}

TEST(ApiClient, AHangingConnectionTimesOutAndIsRetried) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.HangNext("/v1/tracks");
  ClientOptions options = FastOptions(fake);
  options.total_timeout = milliseconds(500);
  ApiClient client(options, fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> track = client.GetJson("/tracks/3n3Ppam7vgaVa1iaRUc9Lp");
  ASSERT_TRUE(track) << track.error().error.message;
  EXPECT_EQ(fake.Requests("/v1/tracks"), 2);
}

TEST(ApiClient, HangingOnEveryAttemptSaysItTimedOut) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.HangNext("/v1/tracks", 2);
  ClientOptions options = FastOptions(fake);
  options.total_timeout = milliseconds(300);
  options.max_attempts = 2;
  ApiClient client(options, fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> track = client.GetJson("/tracks/3n3Ppam7vgaVa1iaRUc9Lp");
  ASSERT_FALSE(track);
  EXPECT_EQ(track.error().kind, ApiErrorKind::kRetriesExhausted);
  EXPECT_NE(track.error().error.message.find("timed out"), std::string::npos)
      << track.error().error.message;
}

TEST(ApiClient, ATokenExpiringMidRunIsRefreshedOnce) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  const ClientOptions options = FastOptions(fake);
  ApiClient client(options, fake.IssueAccessToken(), Refresher(fake, options));
  fake.ExpireTokensAfter(2);  // the third page meets a 401
  std::map<std::string, int> seen;
  ApiResult<int> pages = CollectItems(client, 10, seen);
  ASSERT_TRUE(pages) << pages.error().error.message;
  EXPECT_EQ(*pages, 5);
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kPlaylistItems));
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
  EXPECT_EQ(fake.TokenRequests("refresh_token"), 1);
  EXPECT_EQ(fake.Requests("/v1/playlists"), 6);  // 5 pages + the refused one
}

TEST(ApiClient, NoTokenAtFirstAsksTheRefresher) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  const ClientOptions options = FastOptions(fake);
  ApiClient client(options, "", Refresher(fake, options));
  ASSERT_TRUE(client.GetJson("/artists/0OdUWJ0sBjDrqHygGUXeCF"));
  EXPECT_EQ(fake.TokenRequests("refresh_token"), 1);
  EXPECT_EQ(fake.Requests("/v1/artists"), 1);
}

TEST(ApiClient, ARevokedRefreshTokenSaysToLogInAgain) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  const ClientOptions options = FastOptions(fake);
  ApiClient client(options, fake.IssueAccessToken(), Refresher(fake, options));
  fake.RevokeRefreshTokens();
  fake.ExpireTokensAfter(0);
  ApiResult<nlohmann::json> track = client.GetJson("/tracks/3n3Ppam7vgaVa1iaRUc9Lp");
  ASSERT_FALSE(track);
  EXPECT_EQ(track.error().kind, ApiErrorKind::kUnauthorized);
  EXPECT_NE(track.error().error.message.find("run `playlake spotify login` again"),
            std::string::npos)
      << track.error().error.message;
  EXPECT_EQ(fake.TokenRequests("refresh_token"), 1);
}

TEST(ApiClient, ForbiddenEndpointIsReportedAtOnceNotRetried) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.Forbid("/v1/audio-features");
  ApiClient client(FastOptions(fake), fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> features = client.GetJson("/audio-features?ids=a,b");
  ASSERT_FALSE(features);
  EXPECT_EQ(features.error().kind, ApiErrorKind::kForbidden);
  EXPECT_EQ(features.error().http_status, 403);
  EXPECT_EQ(fake.Requests("/v1/audio-features"), 1);
  // Other endpoints still answer.
  EXPECT_TRUE(client.GetJson("/tracks?ids=3n3Ppam7vgaVa1iaRUc9Lp,3n3Ppam7vgaVa1iaRUc9Lp"));
}

TEST(ApiClient, MissingFieldsAreNotAnError) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.DropField("popularity");
  ApiClient client(FastOptions(fake), fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> artist = client.GetJson("/artists/0OdUWJ0sBjDrqHygGUXeCF");
  ASSERT_TRUE(artist) << artist.error().error.message;
  EXPECT_FALSE(artist->contains("popularity"));
  EXPECT_TRUE(artist->contains("genres"));
}

TEST(ApiClient, KeepsAtMostMaxConcurrencyRequestsInFlight) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  fake.SetLatency(milliseconds(100));
  ClientOptions options = FastOptions(fake);
  options.max_concurrency = 2;
  ApiClient client(options, fake.IssueAccessToken(), nullptr);
  std::vector<std::thread> threads;
  std::atomic<int> ok = 0;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      if (client.GetJson("/tracks/3n3Ppam7vgaVa1iaRUc9Lp")) ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok, 8);
  EXPECT_EQ(fake.Requests("/v1/tracks"), 8);
  EXPECT_LE(fake.MaxInFlight(), 2);
  EXPECT_GE(fake.MaxInFlight(), 1);
}

TEST(ApiClient, NeverSendsTheTokenOutsideTheApiBase) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  ApiClient client(FastOptions(fake), fake.IssueAccessToken(), nullptr);
  ApiResult<nlohmann::json> elsewhere = client.GetJson("http://127.0.0.1:9/v2/tracks");
  ASSERT_FALSE(elsewhere);
  EXPECT_EQ(elsewhere.error().kind, ApiErrorKind::kNotAllowed);
  EXPECT_EQ(client.requests_sent(), 0);
}

TEST(ApiClient, LogsNoToken) {
  FakeSpotifyApi fake(PLAYLAKE_SPOTIFY_DATA);
  const ClientOptions options = FastOptions(fake);
  const std::string first_token = fake.IssueAccessToken();
  ApiClient client(options, first_token, Refresher(fake, options));
  std::ostringstream log;
  auto previous = spdlog::default_logger();
  auto logger = std::make_shared<spdlog::logger>(
      "capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(log));
  logger->set_level(spdlog::level::trace);
  spdlog::set_default_logger(logger);
  fake.FailNext("/v1/playlists", 503);
  fake.FailNext("/v1/playlists", 429, 1, "0");
  fake.ExpireTokensAfter(3);
  std::map<std::string, int> seen;
  ApiResult<int> pages = CollectItems(client, 20, seen);
  spdlog::set_default_logger(previous);
  ASSERT_TRUE(pages) << pages.error().error.message;
  EXPECT_EQ(fake.TokenRequests("refresh_token"), 1);
  EXPECT_NE(log.str().find("retry"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("fake-access"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("fake-refresh"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("Bearer"), std::string::npos) << log.str();
}

}  // namespace
}  // namespace playlake::spotify
