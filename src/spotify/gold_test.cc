// `playlake run` on a listener's project: a real streaming-history export and
// a spotify_api source (enrichment only) on the fake Spotify API. The genres
// and release dates the API gives reach the gold marts of the Artists &
// genres page; audio features by genre only where the app may read them.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "spotify/fake_spotify_api.h"
#include "spotify/test_lake.h"
#include "testing/testing.h"

namespace playlake::spotify {
namespace {

using playlake::testing::RunPlaylake;
using testing::FakeSpotifyApi;

class GoldTest : public ::testing::Test {
 protected:
  // The project: the 2023 export of realdata/spotify_history and the fake.
  void Run() {
    testing::WriteSpotifyProject(dir_.path(), fake_, "[]", true);
    std::ofstream(dir_.path() / "playlake.yml", std::ios::app) << fmt::format(
        "  - name: history\n    path: {}\n    format: spotify-history\n    user: me\n",
        (playlake::testing::RealData() / "spotify_history" / "Streaming_History_Audio_2023.json")
            .string());
    const auto run = RunPlaylake("run --project " + dir_.path().string());
    ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
    run_log_ = run.stderr_text;
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
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays WHERE genre = 'unknown'"), "0");
  EXPECT_EQ(Gold("SELECT count(*) FROM artist_ranking WHERE genre = 'unknown'"), "0");
  EXPECT_GT(std::stoll(Gold("SELECT count(DISTINCT genre) FROM genre_trends")), 1);
  EXPECT_EQ(Gold("SELECT count(*) FROM dim_tracks WHERE in_catalog AND release_date IS NULL"), "0");
  EXPECT_GT(std::stoll(Gold("SELECT count(*) FROM dim_tracks WHERE in_catalog")), 500);
  // The app has audio features: they are summarised per genre.
  EXPECT_GT(std::stoll(Gold("SELECT count(*) FROM audio_features_by_genre")), 0);
}

TEST_F(GoldTest, AnAppWithoutAudioFeaturesHasGenresAndNoFeatures) {
  fake_.SetLittleApp();
  Run();
  EXPECT_NE(run_log_.find("audio_features: not available for this app"), std::string::npos)
      << run_log_;
  EXPECT_EQ(Gold("SELECT count(*) FROM fct_plays WHERE genre = 'unknown'"), "0");
  EXPECT_EQ(Gold("SELECT count(*) FROM audio_features_by_genre"), "0");
  EXPECT_EQ(Gold("SELECT count(*) FROM silver.spotify_app_access WHERE endpoint = "
                 "'audio_features' AND NOT allowed"),
            "1");
}

}  // namespace
}  // namespace playlake::spotify
