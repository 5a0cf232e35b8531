// Catalog enrichment of the spotify_api source against the fake Spotify API on
// 127.0.0.1, into a real lake in a temporary folder: an app with everything,
// an app with little, refresh after the configured age, and the tracks of a
// real streaming-history export.
#include "spotify/enrich.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "lake/faults.h"
#include "silver/ingest.h"
#include "silver/views.h"
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
const std::string kHistory =
    std::string(PLAYLAKE_SPOTIFY_DATA) + "/../spotify_history/Streaming_History_Audio_2022.json";

// Requests whose path is `prefix` followed by a batch (?ids= does not show in
// the path, so: requests to exactly the collection path).
int BatchRequests(const FakeSpotifyApi& fake, const std::string& prefix) {
  return fake.Requests(prefix) - fake.Requests(prefix + "/");
}

class EnrichTest : public ::testing::Test {
 protected:
  void SetUp() override { Open("[recently_played]"); }

  // The project: the fake's recently played with enrichment on (concurrency 2),
  // plus `extra` YAML sources.
  void Open(const std::string& pulls, const std::string& extra = "") {
    const auto root = dir_.path() / project_folder_;
    testing::WriteSpotifyProject(root, fake_, pulls, true);
    if (!extra.empty()) std::ofstream(root / "playlake.yml", std::ios::app) << extra;
    auto project = config::LoadProject(root);
    ASSERT_TRUE(project.has_value()) << project.error().message;
    project_ = *project;
    lake::LakeOptions options;
    options.durable = false;
    options.clock = [this] { return now_; };
    auto lake = lake::Lake::OpenLocal(project_.lake, options);
    ASSERT_TRUE(lake.has_value());
    lake_ = std::move(*lake);
  }

  Result<PullReport> Pull(const std::string& source = "me") {
    ClientOptions options;
    options.api_base = fake_.api_base();
    options.accounts_base = fake_.accounts_base();
    options.sleep = [](std::chrono::milliseconds) {};
    options.max_concurrency = 2;
    auto refresher = SavedLoginRefresher(project_.root, options, "");
    EXPECT_TRUE(refresher.has_value());
    ApiClient client(options, "", *refresher);
    for (const auto& s : project_.sources) {
      if (s.name == source) return PullSpotifySource(*lake_, s, client);
    }
    return Fail(ErrorCode::kConfig, "no source " + source);
  }

  testing::KeyCount Count(const std::string& table, const std::string& key) const {
    return testing::CountSilver(project_.lake, table, key);
  }

  // One value of a query over the silver views.
  std::string Scalar(const std::string& sql) const {
    auto lake = lake::Lake::OpenLocal(project_.lake, {});
    auto db = warehouse::Database::Open(":memory:");
    auto conn = (*db)->Connect();
    EXPECT_TRUE(silver::CreateSilverViews(**conn, **lake));
    auto value = (*conn)->QueryScalar(sql);
    EXPECT_TRUE(value.has_value()) << sql << ": " << value.error().message;
    return value.value_or("");
  }

  static bool HasWarning(const PullReport& report, const std::string& text) {
    for (const auto& w : report.warnings) {
      if (w.find(text) != std::string::npos) return true;
    }
    return false;
  }

  std::chrono::system_clock::time_point now_ = std::chrono::sys_days(std::chrono::year_month_day(
      std::chrono::year(2026), std::chrono::month(3), std::chrono::day(1)));
  FakeSpotifyApi fake_{PLAYLAKE_SPOTIFY_DATA};
  playlake::testing::TempDir dir_;
  std::string project_folder_ = "project";
  config::ProjectConfig project_;
  std::unique_ptr<lake::Lake> lake_;
};

TEST_F(EnrichTest, AppWithEverythingLooksUpEachTrackArtistAndAlbumOnceInBatches) {
  fake_.AddPlays(30, kFirstPlayMs, kMinute);  // the Top 50's first 30 tracks
  auto first = Pull();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(Count("spotify_tracks", "track_id").keys, 30);
  EXPECT_EQ(Count("spotify_tracks", "track_id").rows, 30);
  const auto artists = Count("spotify_artists", "artist_id");
  const auto albums = Count("spotify_albums", "album_id");
  EXPECT_EQ(artists.keys,
            std::stoll(Scalar("SELECT count(DISTINCT artist_id) FROM spotify_tracks")));
  EXPECT_EQ(albums.keys, std::stoll(Scalar("SELECT count(DISTINCT album_id) FROM spotify_tracks")));
  EXPECT_EQ(artists.rows, artists.keys);
  EXPECT_EQ(Count("spotify_audio_features", "track_id").keys, 30);
  // The minimum: one recently-played call, one batch of tracks, of artists,
  // of audio features, and albums 20 at a time; no request per id.
  EXPECT_EQ(first->requests, 1 + 1 + 1 + (albums.keys + 19) / 20 + 1) << first->Summary();
  EXPECT_EQ(fake_.Requests("/v1/tracks/"), 0);
  EXPECT_EQ(BatchRequests(fake_, "/v1/tracks"), 1);
  // Genres, popularity and release dates arrived; no field was missing but
  // the label, which the captured albums do not carry.
  EXPECT_EQ(Scalar("SELECT count(*) FROM spotify_artists WHERE len(genres) > 0"),
            std::to_string(artists.keys));
  EXPECT_EQ(Scalar("SELECT count(*) FROM spotify_albums WHERE release_date IS NULL"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM spotify_artists WHERE popularity IS NULL"), "0");
  for (const auto& [field, count] : first->missing) {
    EXPECT_EQ(field, "spotify_albums.label") << first->Summary();
  }
  EXPECT_TRUE(first->warnings.empty()) << first->Summary();

  // Nothing new: only the recently-played call.
  auto second = Pull();
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(second->requests, 1) << second->Summary();

  // New plays of known and new tracks: only the new tracks are asked for.
  fake_.AddPlays(30, kFirstPlayMs + 30 * kMinute, kMinute);  // tracks 31-50, then 1-10
  auto third = Pull();
  ASSERT_TRUE(third.has_value()) << third.error().message;
  EXPECT_EQ(third->rows["spotify_tracks"], 20) << third->Summary();
  EXPECT_EQ(Count("spotify_tracks", "track_id").rows, 50);

  // Each silver file's manifest entry has the schema fingerprint of the
  // columns DuckDB reads in it (genres is a list).
  auto db = warehouse::Database::Open(":memory:");
  ASSERT_TRUE(db);
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn);
  auto entries = lake_->Entries("silver");
  ASSERT_TRUE(entries);
  std::set<std::string> tables;
  for (const auto& f : lake::LiveFiles(*entries)) {
    auto columns = (*conn)->Query(
        "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" +
        warehouse::QuoteLiteral(lake_->storage().Url(f.key)) + "))");
    ASSERT_TRUE(columns) << columns.error().message;
    lake::FileColumns file_columns;
    for (const auto& row : columns->rows) file_columns.emplace_back(*row[0], *row[1]);
    EXPECT_EQ(f.schema, lake::SchemaFingerprint(file_columns)) << f.key;
    tables.insert(f.table);
  }
  EXPECT_EQ(tables,
            (std::set<std::string>{"spotify_albums", "spotify_app_access", "spotify_artists",
                                   "spotify_audio_features", "spotify_plays", "spotify_tracks"}));
}

TEST_F(EnrichTest, AppWithLittleLooksUpPerIdAndAsksForAudioFeaturesOnceAcrossRuns) {
  fake_.SetLittleApp();
  fake_.SetLatency(std::chrono::milliseconds(20));
  fake_.AddPlays(10, kFirstPlayMs, kMinute);
  auto first = Pull();
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(Count("spotify_tracks", "track_id").keys, 10);
  const auto artists = Count("spotify_artists", "artist_id").keys;
  const auto albums = Count("spotify_albums", "album_id").keys;
  EXPECT_GT(artists, 0);
  EXPECT_GT(albums, 0);
  // One refused batch per kind, then one request per id; audio features: the
  // refused batch and the refused single lookup, nothing more.
  EXPECT_EQ(BatchRequests(fake_, "/v1/tracks"), 1);
  EXPECT_EQ(fake_.Requests("/v1/tracks/"), 10);
  EXPECT_EQ(fake_.Requests("/v1/artists/"), artists);
  EXPECT_EQ(fake_.Requests("/v1/albums/"), albums);
  EXPECT_EQ(fake_.Requests("/v1/audio-features"), 2);
  EXPECT_EQ(first->requests, 1 + (1 + 10) + (1 + artists) + (1 + albums) + 2) << first->Summary();
  EXPECT_EQ(Count("spotify_audio_features", "track_id").rows, 0);
  EXPECT_TRUE(HasWarning(*first, "audio_features: not available for this app")) << first->Summary();
  // The fields the app does not get are NULL and counted, not errors.
  EXPECT_EQ(first->missing["spotify_artists.popularity"], artists) << first->Summary();
  EXPECT_EQ(first->missing["spotify_artists.followers"], artists);
  EXPECT_EQ(first->missing["spotify_tracks.popularity"], 10);
  EXPECT_EQ(Scalar("SELECT count(*) FROM spotify_artists WHERE popularity IS NULL"),
            std::to_string(artists));
  // Requests ran in parallel, never more than the source's concurrency (2).
  EXPECT_EQ(fake_.MaxInFlight(), 2);
  // The refusals are in the lake.
  EXPECT_EQ(Scalar("SELECT string_agg(endpoint, ',' ORDER BY endpoint) FROM spotify_app_access "
                   "WHERE NOT allowed"),
            "albums_batch,artists_batch,audio_features,audio_features_batch,tracks_batch");

  // A later run with new tracks asks neither a batch endpoint nor audio
  // features again, and still says audio features are not available.
  fake_.AddPlays(5, kFirstPlayMs + 10 * kMinute, kMinute);
  auto second = Pull();
  ASSERT_TRUE(second.has_value()) << second.error().message;
  EXPECT_EQ(fake_.Requests("/v1/audio-features"), 2);
  EXPECT_EQ(BatchRequests(fake_, "/v1/tracks"), 1);
  EXPECT_EQ(fake_.Requests("/v1/tracks/"), 15);
  EXPECT_TRUE(HasWarning(*second, "audio_features: not available for this app"))
      << second->Summary();

  // After the refresh age (30 days) the refusal is checked again (and the
  // catalog looked up again).
  now_ += std::chrono::days(31);
  auto later = Pull();
  ASSERT_TRUE(later.has_value()) << later.error().message;
  EXPECT_EQ(fake_.Requests("/v1/audio-features"), 4);
  EXPECT_EQ(BatchRequests(fake_, "/v1/tracks"), 2);
}

TEST_F(EnrichTest, CatalogRowsAreLookedUpAgainAfterTheRefreshAge) {
  fake_.AddPlays(5, kFirstPlayMs, kMinute);
  ASSERT_TRUE(Pull().has_value());
  now_ += std::chrono::days(29);
  auto fresh = Pull();
  ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
  EXPECT_EQ(fresh->requests, 1) << fresh->Summary();
  now_ += std::chrono::days(2);  // 31 days after the lookup
  auto stale = Pull();
  ASSERT_TRUE(stale.has_value()) << stale.error().message;
  EXPECT_EQ(stale->rows["spotify_tracks"], 5) << stale->Summary();
  EXPECT_GT(stale->rows["spotify_artists"], 0);
  EXPECT_EQ(stale->rows.count("spotify_audio_features"), 0u);  // features do not change
  const auto tracks = Count("spotify_tracks", "track_id");
  EXPECT_EQ(tracks.keys, 5);
  EXPECT_EQ(tracks.rows, 10);  // one row per lookup, the newest one wins downstream
}

TEST_F(EnrichTest, AnIdSpotifyDoesNotKnowGetsANullRowAndIsNotAskedAgain) {
  fake_.AddPlays(3, kFirstPlayMs, kMinute);
  ASSERT_TRUE(Pull().has_value());
  fake_.AddPlays(2, kFirstPlayMs + 3 * kMinute, kMinute);  // the Top 50's tracks 4 and 5
  const std::string fourth = "7221xIgOnuakPdLqT0F3nP";     // the Top 50's fourth track
  fake_.MarkUnknown(fourth);
  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->missing["spotify_tracks.not_found"], 1) << report->Summary();
  EXPECT_EQ(Scalar(fmt::format("SELECT count(*) FROM spotify_tracks WHERE track_id = '{}' AND "
                               "name IS NULL",
                               fourth)),
            "1");
  auto again = Pull();
  ASSERT_TRUE(again.has_value()) << again.error().message;
  EXPECT_EQ(again->requests, 1) << again->Summary();
}

TEST_F(EnrichTest, TheTracksOfAStreamingHistoryExportAreLookedUp) {
  // The export as a file source of the same project, enrichment only on the API.
  Open("[]",
       fmt::format("  - name: history\n    path: {}\n    format: spotify-history\n    user: me\n",
                   kHistory));
  silver::Progress progress;
  auto ingested = silver::IngestConfiguredSources(*lake_, project_, progress);
  ASSERT_TRUE(ingested.has_value()) << ingested.error().message;
  ASSERT_FALSE(ingested->AnyFailed()) << ingested->ToText();
  std::set<std::string> ids;
  std::ifstream in(kHistory);
  for (const auto& play : nlohmann::json::parse(in)) {
    const auto uri = play.value("spotify_track_uri", nlohmann::json());
    if (uri.is_string()) ids.insert(uri.get<std::string>().substr(14));  // "spotify:track:"
  }
  ASSERT_GT(ids.size(), 20u);
  ASSERT_EQ(Scalar("SELECT count(DISTINCT track_id) FROM plays WHERE source_format = "
                   "'spotify-history'"),
            std::to_string(ids.size()));

  auto report = Pull();
  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(Count("spotify_tracks", "track_id").keys, static_cast<std::int64_t>(ids.size()));
  EXPECT_EQ(Scalar("SELECT count(*) FROM plays p WHERE source_format = 'spotify-history' AND "
                   "track_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM spotify_tracks t WHERE "
                   "t.track_id = p.track_id)"),
            "0");
  EXPECT_EQ(BatchRequests(fake_, "/v1/tracks"), static_cast<int>((ids.size() + 49) / 50));
  EXPECT_EQ(fake_.Requests("/v1/me/player"), 0);  // no API plays were asked for
}

// Killed (SIGKILL) in the middle of the lookups, at each step of a commit:
// the re-run looks up only what was not committed, and every track, artist
// and album has one row.
TEST_F(EnrichTest, KilledMidEnrichmentThenRerunLeavesNothingMissingOrDoubled) {
  fake_.SetLittleApp();  // one request per id: many commits to be killed between
  fake_.AddPlays(12, kFirstPlayMs, kMinute);
  for (const char* step : {"bronze-synced", "silver-staged", "silver-committed"}) {
    SCOPED_TRACE(step);
    project_folder_ = step;  // a new project and lake
    Open("[recently_played]");
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The fourth commit of the pull: inside the tracks' per-id lookups.
      lake::CrashAt crash(step, 4);
      lake::LakeOptions options;
      options.faults = &crash;
      auto lake = lake::Lake::OpenLocal(project_.lake, options);
      if (lake) lake_ = std::move(*lake);
      (void)Pull();
      _exit(0);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    auto rerun = Pull();
    ASSERT_TRUE(rerun.has_value()) << rerun.error().message;
    for (const auto& [table, key] : {std::pair{"spotify_tracks", "track_id"},
                                     {"spotify_artists", "artist_id"},
                                     {"spotify_albums", "album_id"}}) {
      const auto count = Count(table, key);
      EXPECT_EQ(count.rows, count.keys) << table;
      EXPECT_EQ(count.keys, std::stoll(Scalar(fmt::format(
                                "SELECT count(DISTINCT {}) FROM spotify_{}", key,
                                std::string(table) == "spotify_tracks" ? "plays" : "tracks"))))
          << table;
    }
  }
}

}  // namespace
}  // namespace playlake::spotify
