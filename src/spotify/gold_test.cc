// `playlake run` on a listener's project: a real streaming-history export and
// a spotify_api source (enrichment only) on the fake Spotify API. The genres
// and release dates the API gives reach the gold marts of the Artists &
// genres page; audio features by genre only where the app may read them.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "sources/timestamp.h"
#include "spotify/fake_spotify_api.h"
#include "spotify/test_lake.h"
#include "testing/testing.h"

namespace playlake::spotify {
namespace {

using playlake::testing::RunPlaylake;
using testing::FakeSpotifyApi;

std::filesystem::path Export2023() {
  return playlake::testing::RealData() / "spotify_history" / "Streaming_History_Audio_2023.json";
}

class GoldTest : public ::testing::Test {
 protected:
  // `playlake run` on the project: the fake's spotify_api source "me" with
  // `pulls` and `enrichment` and, when `with_export`, the 2023 export of
  // realdata/spotify_history as the same listener's.
  void Run(const std::string& pulls = "[]", bool with_export = true, bool enrichment = true) {
    testing::WriteSpotifyProject(dir_.path(), fake_, pulls, enrichment);
    if (with_export) {
      std::ofstream(dir_.path() / "playlake.yml", std::ios::app) << fmt::format(
          "  - name: history\n    path: {}\n    format: spotify-history\n    user: me\n",
          Export2023().string());
    }
    const auto run = RunPlaylake("run --project " + dir_.path().string());
    ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
    run_log_ = run.stderr_text;
  }

  // The listener's last 40 plays of tracks in the export are also in the
  // API's recently played, reported there a little after the export's ts
  // (both are when the play stopped; the API's has milliseconds), followed by
  // 5 plays after the export's end. Returns the number of those (plays the
  // export does not hold).
  int AddApiPlaysOverlappingTheExport() {
    std::vector<std::pair<std::string, std::string>> plays;  // ts, track id
    for (const nlohmann::json& record : nlohmann::json::parse(std::ifstream(Export2023()))) {
      if (!record["spotify_track_uri"].is_string()) continue;
      const std::string uri = record["spotify_track_uri"];
      plays.emplace_back(record["ts"], uri.substr(uri.rfind(':') + 1));
    }
    std::sort(plays.begin(), plays.end());
    const std::vector overlap(plays.end() - 40, plays.end());
    std::int64_t ms = 0;
    for (std::size_t i = 0; i < overlap.size(); ++i) {
      ms = *sources::ParseRfc3339(overlap[i].first) / 1000;
      fake_.AddPlayOf(overlap[i].second, ms + 137 + static_cast<std::int64_t>(i % 4) * 900);
    }
    for (int i = 0; i < 5; ++i) fake_.AddPlayOf(overlap[i].second, ms + (i + 1) * 3'600'000);
    return 5;
  }

  // GET /api/artists of a real `playlake serve` on the project.
  nlohmann::json ArtistsApi() {
    playlake::testing::Dashboard dashboard(dir_.path(), dir_.path() / "serve.out");
    if (dashboard.port() == 0) {
      ADD_FAILURE() << "playlake serve did not start: " << dashboard.log();
      return {};
    }
    httplib::Client client("127.0.0.1", dashboard.port());
    const auto res = client.Get("/api/artists");
    if (!res || res->status != 200) {
      ADD_FAILURE() << "GET /api/artists: " << (res ? res->body : "no answer");
      return {};
    }
    return nlohmann::json::parse(res->body);
  }

  // One value from gold (or silver) through `playlake sql --gold`.
  std::string Gold(const std::string& sql) {
    const auto out = RunPlaylake(
        fmt::format("sql --gold --format csv --project {} \"{}\"", dir_.path().string(), sql));
    EXPECT_EQ(out.exit_code, 0) << sql << ": " << out.stderr_text;
    // A header line, then the value.
    const auto newline = out.stdout_text.find('\n');
    std::string value = newline == std::string::npos ? "" : out.stdout_text.substr(newline + 1);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
    return value;
  }

  FakeSpotifyApi fake_{PLAYLAKE_SPOTIFY_DATA};
  playlake::testing::TempDir dir_;
  std::string run_log_;
};

TEST_F(GoldTest, GenresAndReleaseDatesOfTheApiReachTheMartsOfAnExport) {
  Run();
  EXPECT_NE(run_log_.find("spotify_tracks +"), std::string::npos) << run_log_;
  const std::int64_t plays = std::stoll(Gold("SELECT count(*) FROM fct_plays"));
  ASSERT_GT(plays, 1000);
  // Every play of a track the API knows has its genre, and so has its artist
  // (keyed by name in the export) on the artist chart.
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays JOIN dim_tracks USING (track_key) "
                 "WHERE genre = 'unknown'"),
            "0");
  EXPECT_EQ(Gold("SELECT count(*) FROM artist_ranking WHERE genre = 'unknown'"), "0");
  EXPECT_GT(std::stoll(Gold("SELECT count(DISTINCT genre) FROM genre_trends")), 1);
  EXPECT_EQ(Gold("SELECT count(*) FROM dim_tracks WHERE in_catalog AND release_date IS NULL"), "0");
  EXPECT_GT(std::stoll(Gold("SELECT count(*) FROM dim_tracks WHERE in_catalog")), 500);
  // The app has audio features: they are summarised per genre, and the
  // dashboard's API says the app may read them.
  EXPECT_GT(std::stoll(Gold("SELECT count(*) FROM audio_features_by_genre")), 0);
  const nlohmann::json artists = ArtistsApi();
  EXPECT_FALSE(artists["audio_features"].empty());
  EXPECT_EQ(artists["audio_features_access"]["allowed"], true) << artists["audio_features_access"];
}

TEST_F(GoldTest, AnAppWithoutAudioFeaturesHasGenresAndNoFeatures) {
  fake_.SetLittleApp();
  Run();
  EXPECT_NE(run_log_.find("audio_features: not available for this app"), std::string::npos)
      << run_log_;
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays JOIN dim_tracks USING (track_key) "
                 "WHERE genre = 'unknown'"),
            "0");
  EXPECT_EQ(Gold("SELECT count(*) FROM audio_features_by_genre"), "0");
  EXPECT_EQ(Gold("SELECT count(*) FROM silver.spotify_app_access WHERE endpoint = "
                 "'audio_features' AND NOT allowed"),
            "1");
  // The dashboard's API reports the refusal the lake recorded, which the
  // Artists & genres page states.
  const nlohmann::json artists = ArtistsApi();
  EXPECT_TRUE(artists["audio_features"].empty());
  EXPECT_EQ(artists["audio_features_access"]["allowed"], false) << artists["audio_features_access"];
  EXPECT_EQ(artists["audio_features_access"]["http_status"], 403);
}

// A project whose catalogs have no audio features and that never asked
// Spotify: the API does not claim a refusal.
TEST_F(GoldTest, NoAudioFeaturesWithoutAPullClaimsNoRefusal) {
  Run("[]", true, false);
  ASSERT_EQ(fake_.Requests(), 0);
  const nlohmann::json artists = ArtistsApi();
  EXPECT_TRUE(artists["audio_features"].empty());
  EXPECT_TRUE(artists["audio_features_access"]["allowed"].is_null())
      << artists["audio_features_access"];
}

// Plays that reached gold before their tracks were looked up (here: with the
// enrichment off) get their genres on the next normal run, without
// --full-refresh.
TEST_F(GoldTest, GenresLookedUpAfterThePlaysReachedGoldReachTheGenreChart) {
  Run("[]", true, false);
  const std::string plays = Gold("SELECT count(*) FROM fct_plays");
  EXPECT_EQ(Gold("SELECT sum(plays) FROM genre_trends WHERE genre = 'unknown'"), plays);
  Run();
  EXPECT_NE(run_log_.find("spotify_tracks +"), std::string::npos) << run_log_;
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays"), plays);
  EXPECT_EQ(Gold("SELECT count(*) FROM genre_trends WHERE genre = 'unknown'"), "0");
  EXPECT_EQ(Gold("SELECT sum(plays) FROM genre_trends"), plays);
  EXPECT_GT(std::stoll(Gold("SELECT count(DISTINCT genre) FROM genre_trends")), 1);
  EXPECT_EQ(Gold("SELECT count(*) FROM artist_ranking WHERE genre = 'unknown'"), "0");
}

// A listen pulled from the API and also in the export counts once; the
// export's row of it stays (it has ms_played, platform and country).
TEST_F(GoldTest, APlayInBothTheApiAndAnExportCountsOnce) {
  const int new_plays = AddApiPlaysOverlappingTheExport();
  Run("[recently_played]");
  EXPECT_EQ(Gold("SELECT count(*) FROM silver.spotify_plays"), "45");
  const std::string exported = Gold("SELECT count(*) FROM silver.plays");
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays"),
            std::to_string(std::stoll(exported) + new_plays));
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays WHERE play_id LIKE 'spotify-api:%'"),
            std::to_string(new_plays));
  EXPECT_EQ(Gold("SELECT count(*) FROM stg_spotify_plays WHERE export_play_id IS NOT NULL"), "40");
  EXPECT_EQ(Gold("SELECT count(DISTINCT export_play_id) FROM stg_spotify_plays"), "40");
}

// The API's plays reached gold before the export did: the export's plays of
// the same listens are left out, and the new ones are added.
TEST_F(GoldTest, AnExportLoadedAfterTheApiPlaysAddsOnlyTheOtherListens) {
  const int new_plays = AddApiPlaysOverlappingTheExport();
  Run("[recently_played]", false);
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays"), "45");
  Run("[recently_played]");
  const std::string exported = Gold("SELECT count(*) FROM silver.plays");
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays"),
            std::to_string(std::stoll(exported) + new_plays));
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays WHERE play_id LIKE 'spotify-api:%'"), "45");
  EXPECT_EQ(Gold("SELECT count(*) - count(DISTINCT play_id) FROM fct_plays"), "0");
}

}  // namespace
}  // namespace playlake::spotify
