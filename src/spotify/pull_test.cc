// The spotify_api source's pulls against the fake Spotify API on 127.0.0.1,
// into a real lake in a temporary folder.
#include "spotify/pull.h"

#include <gtest/gtest.h>

#include "spotify/fake_spotify_api.h"
#include "spotify/project_pull.h"
#include "spotify/test_lake.h"
#include "testing/testing.h"
#include "warehouse/duckdb.h"

namespace playlake::spotify {
namespace {

using testing::FakeSpotifyApi;

constexpr std::int64_t kFirstPlayMs = 1'715'760'000'000;  // 2024-05-15T08:00:00Z
constexpr std::int64_t kMinute = 60'000;
constexpr const char* kPlayKey = "played_at, track_id";

// A project with one recently-played source on the fake, its lake and config.
class RecentlyPlayedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::WriteSpotifyProject(dir_.path(), fake_, pulls_);
    auto project = config::LoadProject(dir_.path());
    ASSERT_TRUE(project.has_value()) << project.error().message;
    project_ = *project;
    lake::LakeOptions options;
    options.durable = false;
    auto lake = lake::Lake::OpenLocal(project_.lake, options);
    ASSERT_TRUE(lake.has_value());
    lake_ = std::move(*lake);
  }

  // One pull, as `playlake run` does it; the client never sleeps.
  Result<PullReport> Pull() {
    ClientOptions options;
    options.api_base = fake_.api_base();
    options.accounts_base = fake_.accounts_base();
    options.sleep = [](std::chrono::milliseconds) {};
    options.retry_after_cap = std::chrono::seconds(5);
    auto refresher = SavedLoginRefresher(project_.root, options, "");
    EXPECT_TRUE(refresher.has_value());
    ApiClient client(options, "", *refresher);
    return PullSpotifySource(*lake_, project_.sources.at(0), client);
  }

  testing::KeyCount Plays() const {
    return testing::CountSilver(project_.lake, "spotify_plays", kPlayKey);
  }

  std::string pulls_ = "[recently_played]";
  FakeSpotifyApi fake_{PLAYLAKE_SPOTIFY_DATA};
  playlake::testing::TempDir dir_;
  config::ProjectConfig project_;
  std::unique_ptr<lake::Lake> lake_;
};

TEST_F(RecentlyPlayedTest, EveryPlayLandsOnceAcrossIncrementalRuns) {
  fake_.AddPlays(30, kFirstPlayMs, kMinute);
  auto first = Pull();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->rows["spotify_plays"], 30);
  EXPECT_EQ(first->requests, 1);  // one call of 50 holds them all
  EXPECT_TRUE(first->warnings.empty()) << first->Summary();
  EXPECT_EQ(*RecentlyPlayedCheckpoint(*lake_, "me"), kFirstPlayMs + 29 * kMinute);

  fake_.AddPlays(15, kFirstPlayMs + 30 * kMinute, kMinute);
  auto second = Pull();
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->rows["spotify_plays"], 15);
  EXPECT_EQ(second->requests, 1);
  EXPECT_TRUE(second->warnings.empty()) << second->Summary();

  auto idle = Pull();  // nothing new
  ASSERT_TRUE(idle.has_value()) << idle.error().message;
  EXPECT_EQ(idle->rows["spotify_plays"], 0);

  const testing::KeyCount plays = Plays();
  EXPECT_EQ(plays.rows, 45);
  EXPECT_EQ(plays.keys, 45);
  EXPECT_EQ(fake_.Requests("/v1/me/player/recently-played"), 3);
}

TEST_F(RecentlyPlayedTest, ContextAndTimesAreTyped) {
  fake_.AddPlays(3, kFirstPlayMs, kMinute);
  ASSERT_TRUE(Pull().has_value());
  auto lake = lake::Lake::OpenLocal(project_.lake, {});
  auto files = (*lake)->CommittedFiles("silver", "spotify_plays");
  ASSERT_EQ(files->size(), 1u);
  auto db = warehouse::Database::Open(":memory:");
  auto conn = (*db)->Connect();
  auto rows = (*conn)->Query(
      "SELECT epoch_ms(played_at), context_type, context_uri IS NULL, user_id, batch_id, "
      "track_name IS NOT NULL AND artist_name IS NOT NULL AND album_name IS NOT NULL AND "
      "duration_ms > 0 FROM read_parquet('" +
      (*lake)->storage().Url((*files)[0].key) + "') ORDER BY played_at");
  ASSERT_TRUE(rows.has_value()) << rows.error().message;
  ASSERT_EQ(rows->rows.size(), 3u);
  EXPECT_EQ(*rows->rows[0][0], std::to_string(kFirstPlayMs));
  EXPECT_EQ(*rows->rows[0][1], "playlist");
  EXPECT_EQ(*rows->rows[1][1], "album");
  EXPECT_FALSE(rows->rows[2][1].has_value());  // played outside any context
  EXPECT_EQ(*rows->rows[2][2], "true");
  auto entries = (*lake)->Entries("silver");
  ASSERT_EQ(entries->size(), 1u);
  for (const auto& row : rows->rows) {
    EXPECT_EQ(*row[3], "me");  // the source's name: it has no `user`
    EXPECT_EQ(*row[4], (*entries)[0].batch_id);
    EXPECT_EQ(*row[5], "true");  // the track's names and length, from its object
  }
}

TEST_F(RecentlyPlayedTest, AFullPageAfterTheCheckpointReportsTheGap) {
  fake_.AddPlays(10, kFirstPlayMs, kMinute);
  ASSERT_TRUE(Pull().has_value());
  // 80 more plays: Spotify keeps the last 50, so the first 30 are gone.
  fake_.AddPlays(80, kFirstPlayMs + 60 * kMinute, kMinute);
  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  ASSERT_EQ(report->warnings.size(), 1u) << report->Summary();
  EXPECT_NE(report->warnings[0].find(
                "plays between 2024-05-15T08:09:00Z and 2024-05-15T09:30:00Z may be missing"),
            std::string::npos)
      << report->warnings[0];
  EXPECT_NE(report->Summary().find("may be missing"), std::string::npos);
  EXPECT_EQ(Plays().keys, 60);
}

TEST_F(RecentlyPlayedTest, NoGapWarningWhenThePageIsNotFull) {
  fake_.AddPlays(10, kFirstPlayMs, kMinute);
  ASSERT_TRUE(Pull().has_value());
  fake_.AddPlays(49, kFirstPlayMs + 60 * kMinute, kMinute);
  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_TRUE(report->warnings.empty()) << report->Summary();
  EXPECT_EQ(Plays().keys, 59);
}

TEST_F(RecentlyPlayedTest, RetriesCostOnlyTheirRequestsAndLandOnce) {
  fake_.AddPlays(20, kFirstPlayMs, kMinute);
  fake_.FailNext("/v1/me/player", 503, 2);
  fake_.ExpireTokensAfter(2);  // the third request finds its token expired
  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  // minimum 1 + 2 retries of 503 + 1 retry after the refresh
  EXPECT_EQ(fake_.Requests("/v1/me/player/recently-played"), 4);
  EXPECT_EQ(report->requests, 4);
  EXPECT_EQ(Plays().rows, 20);
  EXPECT_EQ(Plays().keys, 20);
}

TEST_F(RecentlyPlayedTest, ARateLimitPastTheCapStopsAtTheCheckpoint) {
  fake_.AddPlays(5, kFirstPlayMs, kMinute);
  ASSERT_TRUE(Pull().has_value());
  const std::int64_t checkpoint = *RecentlyPlayedCheckpoint(*lake_, "me");
  fake_.AddPlays(5, kFirstPlayMs + 10 * kMinute, kMinute);
  fake_.FailNext("/v1/me/player", 429, 1, "3600");
  auto stopped = Pull();
  ASSERT_TRUE(stopped.has_value()) << stopped.error().message;
  ASSERT_EQ(stopped->warnings.size(), 1u);
  EXPECT_NE(stopped->warnings[0].find("stopped at its last checkpoint"), std::string::npos)
      << stopped->warnings[0];
  EXPECT_EQ(*RecentlyPlayedCheckpoint(*lake_, "me"), checkpoint);
  auto resumed = Pull();
  ASSERT_TRUE(resumed.has_value()) << resumed.error().message;
  EXPECT_EQ(resumed->rows["spotify_plays"], 5);
  EXPECT_EQ(Plays().keys, 10);
}

TEST_F(RecentlyPlayedTest, BronzeKeepsTheAnswerAndItsUrlButNoToken) {
  fake_.AddPlays(5, kFirstPlayMs, kMinute);
  fake_.ExpireTokensAfter(0);  // a refresh happens during the pull
  ASSERT_TRUE(Pull().has_value());
  auto entries = lake_->Entries("bronze");
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].input_path, fake_.api_base() + "/me/player/recently-played?limit=50");
  EXPECT_EQ((*entries)[0].entity, "recently_played");
  const std::string lake_text = testing::AllText(project_.lake);
  EXPECT_NE(lake_text.find("\"played_at\""), std::string::npos);  // the raw answer is there
  const std::vector<std::string> tokens = testing::ReceivedTokens(fake_);
  EXPECT_GE(tokens.size(), 3u);  // two access tokens and the refresh token
  for (const std::string& token : tokens) {
    EXPECT_EQ(lake_text.find(token), std::string::npos) << "a token is in the lake";
  }
}

// The listener's library: top items, saved tracks, playlists and their items.
class LibraryPullTest : public RecentlyPlayedTest {
 protected:
  LibraryPullTest() {
    pulls_ = "[top_tracks, top_artists, saved_tracks, playlists]";
    fake_.SetMaxPageSize(20);  // the 50 tracks come in pages of 20, 20 and 10
  }
  std::int64_t Keys(const std::string& table, const std::string& key) const {
    return testing::CountSilver(project_.lake, table, key).keys;
  }
  std::int64_t Rows(const std::string& table) const {
    return testing::CountSilver(project_.lake, table, "1").rows;
  }
};

TEST_F(LibraryPullTest, PagesAreFollowedAndEveryItemLandsOnce) {
  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  // The minimum: 3 pages per time range of top tracks, 1 of top artists per
  // range, 3 of saved tracks, 1 of playlists, 3 of the playlist's items.
  EXPECT_EQ(fake_.Requests("/v1/me/top/tracks"), 9);
  EXPECT_EQ(fake_.Requests("/v1/me/top/artists"), 3);
  EXPECT_EQ(fake_.Requests("/v1/me/tracks"), 3);
  EXPECT_EQ(fake_.Requests("/v1/me/playlists"), 1);
  EXPECT_EQ(fake_.Requests("/v1/playlists/"), 3);
  EXPECT_EQ(report->requests, 19);
  EXPECT_EQ(report->responses, 19);
  EXPECT_EQ(Rows("spotify_top_tracks"), 150);
  EXPECT_EQ(Keys("spotify_top_tracks", "time_range, rank"), 150);
  EXPECT_EQ(Keys("spotify_top_tracks", "track_id"), 50);
  EXPECT_EQ(Rows("spotify_top_artists"), 6);
  EXPECT_EQ(Rows("spotify_saved_tracks"), 50);
  EXPECT_EQ(Keys("spotify_saved_tracks", "track_id"), 50);
  EXPECT_EQ(Rows("spotify_playlists"), 1);
  EXPECT_EQ(Rows("spotify_playlist_items"), 50);
  EXPECT_EQ(Keys("spotify_playlist_items", "position"), 50);

  auto again = Pull();  // the same answers: nothing new
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->responses, 0);
  EXPECT_EQ(again->already, 19);
  EXPECT_EQ(Rows("spotify_playlist_items"), 50);
  EXPECT_EQ(Rows("spotify_top_tracks"), 150);
}

TEST_F(LibraryPullTest, PlaylistItemsFallBackToTracksOnlyOn404) {
  fake_.FailNext(std::string("/v1/playlists/") + FakeSpotifyApi::kPlaylistId + "/items", 404);
  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(fake_.Requests(std::string("/v1/playlists/") + FakeSpotifyApi::kPlaylistId + "/items"),
            1);
  EXPECT_EQ(fake_.Requests(std::string("/v1/playlists/") + FakeSpotifyApi::kPlaylistId + "/tracks"),
            3);
  EXPECT_EQ(Rows("spotify_playlist_items"), 50);
  EXPECT_EQ(Keys("spotify_playlist_items", "position"), 50);
}

TEST_F(LibraryPullTest, MissingFieldsBecomeNull) {
  fake_.DropField("snapshot_id");
  fake_.DropField("added_at");
  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(Rows("spotify_playlists"), 1);
  EXPECT_EQ(Keys("spotify_saved_tracks", "track_id"), 50);
  EXPECT_EQ(Rows("spotify_playlist_items"), 50);
  EXPECT_EQ(testing::CountSilver(project_.lake, "spotify_playlist_items",
                                 "CASE WHEN added_at IS NULL AND snapshot_id IS NULL THEN 1 END")
                .keys,
            1);
}

}  // namespace
}  // namespace playlake::spotify
