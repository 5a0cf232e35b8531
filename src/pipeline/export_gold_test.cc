// Gold on Spotify exports: the real extended and legacy history files in
// ../shared/realdata/spotify_history (two listeners), and the exports of a
// third, "ana", written for the tests in testdata/spotify_ana shaped like the
// real rows, whose answers the test knows by construction.
//
// One set-up for the suite: `playlake run` on the real files and the first
// export of "ana"; then a second export of hers (a re-attributed track, more
// podcasts) -> run (incremental); a copy rebuilt with --full-refresh, which a
// real `playlake serve` serves to the API tests.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "pipeline/pipeline_test_util.h"
#include "testing/testing.h"

namespace playlake::pipeline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RunPlaylake;
using testutil::Rows;
using testutil::WarehouseReader;

// The track Spotify re-attributed between two of ana's plays.
constexpr const char* kReattributed = "2nQ0a5d0SzW9wJOw7uLbDa";

// ana's two exports (testdata/spotify_ana/README.md says what they hold).
constexpr const char* kAna = PLAYLAKE_TESTDATA "/spotify_ana";

class ExportGoldTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const fs::path a = dir_->path() / "a";
    const fs::path real = testing::RealData() / "spotify_history";
    testutil::WriteTextFile(a / "playlake.yml",
                            "name: export-gold-test\nsources:\n"
                            "  - name: efrrowini\n"
                            "    path: " +
                                (real / "Streaming_History_*.json").string() +
                                "\n"
                                "    user: efrrowini\n"
                                "  - name: lukaszamora\n"
                                "    path: " +
                                (real / "StreamingHistory3.json").string() +
                                "\n"
                                "    user: lukaszamora\n"
                                "  - name: ana\n"
                                "    format: spotify-history\n"
                                "    path: data/ana\n"
                                "    user: ana\n");
    const auto copy = [&](const std::string& name) {
      fs::create_directories(a / "data" / "ana");
      fs::copy_file(fs::path(kAna) / name, a / "data" / "ana" / name);
    };
    copy("Streaming_History_Audio_2023_0.json");
    const auto first = RunPlaylake("run --project " + a.string());
    ASSERT_EQ(first.exit_code, 0) << first.stdout_text << first.stderr_text;
    copy("Streaming_History_Audio_2023_1.json");
    const auto second = RunPlaylake("run --project " + a.string());
    ASSERT_EQ(second.exit_code, 0) << second.stdout_text << second.stderr_text;

    const fs::path b = dir_->path() / "b";
    fs::copy(a, b, fs::copy_options::recursive);
    const auto full = RunPlaylake("run --full-refresh --project " + b.string());
    ASSERT_EQ(full.exit_code, 0) << full.stdout_text << full.stderr_text;
    dashboard_ = new testing::Dashboard(b, dir_->path() / "serve.out");
    ASSERT_NE(dashboard_->port(), 0) << "playlake serve did not start: " << dashboard_->log();
  }

  static void TearDownTestSuite() {
    delete dashboard_;
    dashboard_ = nullptr;
    delete dir_;
    dir_ = nullptr;
  }

  // GET `path` from the suite's `playlake serve`; the body as JSON.
  static json Get(const std::string& path, int expected_status = 200) {
    if (dashboard_ == nullptr) return json();
    httplib::Client client("127.0.0.1", dashboard_->port());
    auto res = client.Get(path);
    EXPECT_TRUE(res) << path;
    if (!res) return json();
    EXPECT_EQ(res->status, expected_status) << path << ": " << res->body;
    return json::parse(res->body, nullptr, false);
  }

  void SetUp() override {
    ASSERT_NE(dir_, nullptr);
    ASSERT_TRUE(fs::exists(dir_->path() / "a" / "warehouse.duckdb")) << "the suite's set-up failed";
    db_ = std::make_unique<WarehouseReader>(dir_->path() / "a" / "warehouse.duckdb");
    ASSERT_TRUE(db_->ok());
  }

  static testing::TempDir* dir_;
  static testing::Dashboard* dashboard_;
  std::unique_ptr<WarehouseReader> db_;
};

testing::TempDir* ExportGoldTest::dir_ = nullptr;
testing::Dashboard* ExportGoldTest::dashboard_ = nullptr;

TEST_F(ExportGoldTest, EveryArtistAndAlbumAPlayCarriedIsInItsDimension) {
  // Both attributions of the re-attributed track, each with ana's plays of it.
  EXPECT_EQ(
      db_->Query(
          std::string(
              "SELECT a.artist_name, l.album_name, count(*) FROM fct_plays f "
              "JOIN dim_artists a USING (artist_key) JOIN dim_albums l USING (album_key) "
              "JOIN dim_tracks t USING (track_key) WHERE f.user_id = 'ana' AND t.track_id = '") +
          kReattributed + "' GROUP BY ALL ORDER BY 1"),
      (Rows{{"Kasabian", "Empire", "1"},
            {"Various Artists", "Indie Anthems (Deluxe Edition)", "2"}}));
  // dim_tracks names the latest attribution.
  EXPECT_EQ(db_->Scalar(std::string("SELECT artist_name FROM dim_tracks WHERE track_id = '") +
                        kReattributed + "'"),
            "Various Artists");
  // No key of the fact misses its dimension, on the real exports too.
  for (const auto& [key, dim] :
       {std::pair{"artist_key", "dim_artists"}, std::pair{"album_key", "dim_albums"},
        std::pair{"track_key", "dim_tracks"}}) {
    EXPECT_EQ(db_->Int(std::string("SELECT count(*) FROM fct_plays ANTI JOIN ") + dim + " USING (" +
                       key + ")"),
              0)
        << key;
  }
  // Albums from the extended export have their names; the legacy file has none.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM silver.plays p JOIN fct_plays f USING (play_id) "
                     "JOIN dim_albums a USING (album_key) "
                     "WHERE p.album_name IS NOT NULL AND a.album_id = 'unknown'"),
            0);
  EXPECT_GT(db_->Int("SELECT count(DISTINCT album_key) FROM fct_plays WHERE user_id = 'efrrowini'"),
            100);
}

TEST_F(ExportGoldTest, RunsPassEveryDataTest) {
  const auto test = RunPlaylake("test --project " + (dir_->path() / "b").string());
  EXPECT_EQ(test.exit_code, 0) << test.stdout_text << test.stderr_text;
}

TEST_F(ExportGoldTest, IncrementalRunEqualsFullRefresh) {
  ASSERT_TRUE(db_->Execute("ATTACH '" + (dir_->path() / "b" / "warehouse.duckdb").string() +
                           "' AS b (READ_ONLY)"));
  for (const std::string table :
       {"int_track_attributions", "dim_artists", "dim_albums", "dim_tracks"}) {
    const std::string rows = "SELECT COLUMNS(c -> c <> 'loaded_at') FROM ";
    EXPECT_EQ(db_->Int("SELECT count(*) FROM " + table),
              db_->Int("SELECT count(*) FROM b." + table))
        << table;
    EXPECT_EQ(db_->Int("SELECT count(*) FROM (" + rows + table + " EXCEPT ALL " + rows + "b." +
                       table + ")"),
              0)
        << table;
  }
}

TEST_F(ExportGoldTest, EveryModelHasADescriptionAndADataTest) {
  const json manifest = json::parse(
      testing::ReadFile(dir_->path() / "a" / "target" / "manifest.json"), nullptr, false);
  ASSERT_TRUE(manifest.is_object());
  std::set<std::string> tested;
  for (const auto& [id, node] : manifest["nodes"].items()) {
    if (node.value("resource_type", "") != "test") continue;
    for (const auto& parent : node["depends_on"]["nodes"]) tested.insert(parent.get<std::string>());
  }
  int models = 0;
  for (const auto& [id, node] : manifest["nodes"].items()) {
    if (node.value("resource_type", "") != "model") continue;
    ++models;
    EXPECT_FALSE(node.value("description", "").empty()) << id << " has no description";
    EXPECT_TRUE(tested.count(id)) << id << " has no data test";
  }
  EXPECT_GT(models, 40);
}

TEST_F(ExportGoldTest, PodcastsAndAudiobooksHaveTheirFactAndMarts) {
  // Every episode and chapter play of silver, once, with its show.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM fct_episode_plays"),
            db_->Int("SELECT count(*) FROM silver.episodes"));
  EXPECT_EQ(db_->Query("SELECT kind, count(*) FROM fct_episode_plays WHERE user_id = 'ana' GROUP "
                       "BY 1 ORDER BY 1"),
            (Rows{{"audiobook", "1"}, {"podcast", "3"}}));
  EXPECT_EQ(db_->Int("SELECT count(*) FROM fct_episode_plays WHERE user_id = 'efrrowini' AND kind "
                     "= 'podcast'"),
            13);
  // top_shows: one show heard by both listeners (one export writes its name
  // with a trailing space), against silver.
  EXPECT_EQ(
      db_->Query("SELECT plays, listeners, episodes, round(listening_hours, 3) FROM top_shows "
                 "WHERE show_name = 'Mythical Monsters'"),
      db_->Query("SELECT count(*), count(DISTINCT user_id), count(DISTINCT episode_id), "
                 "round(sum(ms_played) / 3600000.0, 3) FROM silver.episodes "
                 "WHERE lower(trim(show_name)) = 'mythical monsters'"));
  EXPECT_EQ(db_->Scalar("SELECT listeners FROM top_shows WHERE show_name = 'Mythical Monsters'"),
            "2");
  EXPECT_EQ(db_->Scalar("SELECT show_name FROM top_shows WHERE kind = 'audiobook' AND rank = 1"),
            "Pride and Prejudice");
  // Time by kind: music as in silver.plays, spoken as in silver.episodes.
  EXPECT_EQ(
      db_->Query("SELECT kind, sum(plays), round(sum(listening_hours), 6) FROM listening_by_kind "
                 "GROUP BY 1 ORDER BY 1"),
      db_->Query(
          "SELECT 'audiobook', count(*), round(sum(ms_played) / 3600000.0, 6) FROM silver.episodes "
          "WHERE kind = 'audiobook' UNION ALL "
          "SELECT 'music', count(*), round(sum(ms_played) / 3600000.0, 6) FROM silver.plays UNION "
          "ALL "
          "SELECT 'podcast', count(*), round(sum(ms_played) / 3600000.0, 6) FROM silver.episodes "
          "WHERE kind = 'podcast' ORDER BY 1"));
  const json shows = Get("/api/shows");
  ASSERT_TRUE(shows.is_object());
  ASSERT_FALSE(shows["shows"].empty());
  EXPECT_EQ(shows["shows"][0]["show_name"], "Mythical Monsters");
  EXPECT_EQ(shows["kinds"].size(), 3u);
}

TEST_F(ExportGoldTest, ListenerPageAnswersHerQuestions) {
  const json page = Get("/api/listener?user=ana");
  ASSERT_TRUE(page.is_object());
  const json& s = page["summary"];
  // Five music plays (Spotify's ts is the end: each starts ms_played earlier).
  EXPECT_EQ(s["plays"], 5);
  EXPECT_EQ(s["skips"], 2);
  EXPECT_EQ(s["skip_rate_pct"], 40.0);
  EXPECT_EQ(s["artists"], 3);
  EXPECT_EQ(s["active_days"], 4);
  EXPECT_EQ(s["longest_streak_days"], 2);
  EXPECT_EQ(s["streak_from"], "2023-03-01");
  EXPECT_EQ(s["streak_to"], "2023-03-02");
  EXPECT_EQ(page["months"], json::parse(R"([
      {"month": "2023-03", "plays": 3, "skips": 1, "new_artists": 2, "music_hours": 0.1, "spoken_hours": 0.67},
      {"month": "2023-04", "plays": 2, "skips": 1, "new_artists": 1, "music_hours": 0.06, "spoken_hours": 0.92}])"));
  // Local hours in Europe/Lisbon (conn_country PT): the April plays end at
  // 21:33 UTC, 22:33 summer time (UTC+1); March is UTC+0.
  EXPECT_EQ(
      page["clock"],
      json::parse(R"([{"hour": 7, "plays": 1, "hours": 0.0}, {"hour": 8, "plays": 2, "hours": 0.1},
      {"hour": 22, "plays": 2, "hours": 0.06}])"));
  ASSERT_EQ(page["top_shows"].size(), 3u);
  EXPECT_EQ(page["top_shows"][0]["show_name"], "Mythical Monsters");
  EXPECT_EQ(page["top_shows"][0]["year"], 2023);
  EXPECT_EQ(page["top_shows"][2]["show_name"], "Pride and Prejudice");
  // By listening time: the re-attributed track's two attributions are two artists.
  std::vector<std::string> artists;
  for (const auto& row : page["top_artists"]) artists.push_back(row["artist_name"]);
  EXPECT_EQ(artists, (std::vector<std::string>{"Various Artists", "Kasabian", "Imagine Dragons"}));
  EXPECT_EQ(page["most_skipped"].size(), 2u);
  // The real listener's year: their plays of 2023 add up to silver's.
  const json real = Get("/api/listener?user=efrrowini&from=2023-01-01&to=2023-12-31");
  EXPECT_EQ(real["summary"]["plays"].get<long long>(),
            db_->Int("SELECT count(*) FROM silver.plays WHERE user_id = 'efrrowini' AND "
                     "year(event_ts) = 2023"));
  // Without a user: the listener with the most plays.
  EXPECT_EQ(
      Get("/api/listener")["summary"]["user_id"],
      db_->Scalar("SELECT user_id FROM silver.plays GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"));
}

TEST_F(ExportGoldTest, ListenerParametersAreValidated) {
  EXPECT_NE(Get("/api/listener?user=nobody", 400).value("error", "").find("nobody"),
            std::string::npos);
  EXPECT_NE(Get("/api/listener?user=a%01b", 400).value("error", "").find("user"),
            std::string::npos);
  EXPECT_NE(Get("/api/listener?user=" + std::string(300, 'x'), 400).value("error", "").find("user"),
            std::string::npos);
  EXPECT_NE(Get("/api/listener?name=ana", 400).value("error", "").find("name"), std::string::npos);
  EXPECT_NE(Get("/api/shows?level=gold", 400).value("error", "").find("level"), std::string::npos);
}

}  // namespace
}  // namespace playlake::pipeline
