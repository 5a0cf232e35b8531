// The realism properties of generated data, each measured on a generated
// month with DuckDB (as an analyst would), not on the model's internals.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "sim/genres.h"
#include "sim/geo_data.h"
#include "sim/test_support.h"
#include "testing/testing.h"

namespace playlake::sim {
namespace {

using warehouse::QuoteLiteral;

class Behaviour : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new playlake::testing::TempDir();
    GenerateOptions options;
    options.threads = 2;
    data_ = new testing::GeneratedData(
        testing::GenerateTo(testing::MakeWorld(7, 400, "2026-03-02", "2026-03-29"), options,
                            (dir_->path() / "plays.jsonl").string(), dir_->path() / "catalog"));
    duck_ = new testing::Duck();
    duck_->Exec("CREATE TABLE plays AS SELECT * FROM " +
                testing::ReadPlays((dir_->path() / "plays.jsonl").string()));
    for (const char* entity : {"tracks", "artists", "albums", "users"}) {
      const bool users = std::string(entity) == "users";
      duck_->Exec(
          std::string("CREATE TABLE ") + entity + " AS SELECT * " +
          (users ? "REPLACE (registration_ts::TIMESTAMPTZ AS registration_ts) " : "") +
          "FROM read_ndjson(" +
          QuoteLiteral((dir_->path() / "catalog" / (std::string(entity) + ".jsonl")).string()) +
          ")");
    }
  }
  static void TearDownTestSuite() {
    delete duck_;
    delete data_;
    delete dir_;
  }
  static double Number(const std::string& sql) { return duck_->Number(sql); }

  static playlake::testing::TempDir* dir_;
  static testing::GeneratedData* data_;
  static testing::Duck* duck_;
};
playlake::testing::TempDir* Behaviour::dir_ = nullptr;
testing::GeneratedData* Behaviour::data_ = nullptr;
testing::Duck* Behaviour::duck_ = nullptr;

TEST_F(Behaviour, VolumeFollowsUsers) {
  // ~15 plays per active listener a day: 400 users x 28 days, minus churn.
  const double plays = Number("SELECT count(*) FROM plays");
  EXPECT_EQ(plays, static_cast<double>(data_->stats.plays));
  EXPECT_GT(plays, 400 * 28 * 8);
  EXPECT_LT(plays, 400 * 28 * 25);
  EXPECT_EQ(Number("SELECT count(DISTINCT event_id) FROM plays"), plays);
  EXPECT_EQ(Number("SELECT count(*) FROM plays WHERE ts < '2026-03-02' OR ts >= '2026-03-30'"), 0);
}

TEST_F(Behaviour, LocalHourPeaksInTheEveningAndDipsAtNight) {
  const auto table = duck_->Rows(
      "SELECT hour(timezone(timezone, ts)) AS h, count(*) AS n FROM plays GROUP BY h ORDER BY n "
      "DESC");
  ASSERT_EQ(table.rows.size(), 24u);
  const int peak = std::stoi(*table.rows.front()[0]);
  const int trough = std::stoi(*table.rows.back()[0]);
  EXPECT_GE(peak, 18);
  EXPECT_LE(peak, 22);
  EXPECT_GE(trough, 2);
  EXPECT_LE(trough, 6);
  EXPECT_GT(std::stod(*table.rows.front()[1]), 5 * std::stod(*table.rows.back()[1]));
  // In UTC the peak is smeared over the world's zones: the local view is sharper.
  const double utc_spread =
      Number("SELECT max(n) / min(n) FROM (SELECT hour(ts) h, count(*) n FROM plays GROUP BY h)");
  EXPECT_LT(utc_spread, std::stod(*table.rows.front()[1]) / std::stod(*table.rows.back()[1]));
}

TEST_F(Behaviour, WeekendsDifferFromWeekdays) {
  // Share of the day's plays in the morning commute (07-09 local).
  const std::string morning_share =
      "SELECT avg(CASE WHEN hour(timezone(timezone, ts)) BETWEEN 7 AND 9 THEN 1.0 ELSE 0 END) FROM "
      "plays "
      "WHERE isodow(timezone(timezone, ts)) ";
  const double weekday = Number(morning_share + "<= 5");
  const double weekend = Number(morning_share + ">= 6");
  EXPECT_GT(weekday, 1.5 * weekend) << weekday << " vs " << weekend;
}

TEST_F(Behaviour, SessionsHaveSeveralPlaysAndGapsBetweenThem) {
  const double per_session = Number("SELECT count(*) / count(DISTINCT session_id) FROM plays");
  EXPECT_GT(per_session, 4);
  EXPECT_LT(per_session, 15);
  // A session is one user's; its plays do not overlap.
  EXPECT_EQ(Number("SELECT count(*) FROM (SELECT session_id FROM plays GROUP BY session_id "
                   "HAVING count(DISTINCT user_id) > 1)"),
            0);
  EXPECT_EQ(Number("SELECT count(*) FROM (SELECT ts, ms_played, lead(ts) OVER (PARTITION BY "
                   "session_id ORDER BY ts) "
                   "nxt FROM plays) WHERE nxt < ts + ms_played * INTERVAL 1 MILLISECOND"),
            0);
  // Between a user's sessions there is usually a real gap (median > 30 minutes).
  const double median_gap_min = Number(
      "WITH s AS (SELECT user_id, session_id, min(ts) s, max(ts + ms_played * INTERVAL 1 "
      "MILLISECOND) e "
      "FROM plays GROUP BY ALL), g AS (SELECT epoch(s - lag(e) OVER (PARTITION BY user_id ORDER BY "
      "s)) / 60 gap "
      "FROM s) SELECT median(gap) FROM g WHERE gap IS NOT NULL");
  EXPECT_GT(median_gap_min, 30);
}

TEST_F(Behaviour, PopularityFollowsAPowerLaw) {
  const double top_share = Number(
      "WITH c AS (SELECT track_id, count(*) n FROM plays GROUP BY ALL), "
      "r AS (SELECT n, row_number() OVER (ORDER BY n DESC) rk FROM c) "
      "SELECT sum(n) FILTER (WHERE rk <= (SELECT count(*) FROM tracks) / 100) / sum(n) FROM r");
  EXPECT_GT(top_share, 0.25);
}

TEST_F(Behaviour, TopTracksMoveWeekToWeekAndNewReleasesChart) {
  duck_->Exec(
      "CREATE OR REPLACE TABLE weekly_top AS SELECT * FROM (SELECT date_trunc('week', ts) wk, "
      "track_id, "
      "row_number() OVER (PARTITION BY date_trunc('week', ts) ORDER BY count(*) DESC, track_id) rk "
      "FROM plays GROUP BY 1, 2) WHERE rk <= 10");
  const auto overlaps = duck_->Rows(
      "SELECT a.wk, count(b.track_id) FROM weekly_top a LEFT JOIN weekly_top b "
      "ON b.wk = a.wk + INTERVAL 7 DAY AND a.track_id = b.track_id "
      "WHERE a.wk + INTERVAL 7 DAY IN (SELECT wk FROM weekly_top) GROUP BY a.wk ORDER BY a.wk");
  ASSERT_EQ(overlaps.rows.size(), 3u);
  for (const auto& row : overlaps.rows) EXPECT_LT(std::stoi(*row[1]), 10) << *row[0];
  // Tracks released inside the range reach the weekly top 10.
  EXPECT_GT(
      Number("SELECT count(DISTINCT w.track_id) FROM weekly_top w JOIN tracks t USING (track_id) "
             "WHERE t.release_date >= DATE '2026-03-02'"),
      0);
}

TEST_F(Behaviour, SkipsAreLikelierWhenTheGenreFitsTheListenerPoorly) {
  // Each listener's main genre (most played) against genres that make up
  // under 5% of their plays.
  duck_->Exec(
      "CREATE OR REPLACE TABLE fit AS WITH pg AS (SELECT p.user_id, t.genre, p.skipped FROM plays "
      "p "
      "JOIN tracks t USING (track_id)), share AS (SELECT user_id, genre, count(*) / sum(count(*)) "
      "OVER "
      "(PARTITION BY user_id) s, row_number() OVER (PARTITION BY user_id ORDER BY count(*) DESC, "
      "genre) rk "
      "FROM pg GROUP BY user_id, genre) SELECT pg.*, share.s, share.rk FROM pg JOIN share USING "
      "(user_id, genre)");
  const double main_genre = Number("SELECT avg(skipped::INT) FROM fit WHERE rk = 1");
  const double poor_fit = Number("SELECT avg(skipped::INT) FROM fit WHERE s < 0.05");
  EXPECT_GT(poor_fit, 2 * main_genre) << poor_fit << " vs " << main_genre;
  // Skipped plays stop well before the end and say why.
  EXPECT_EQ(Number("SELECT count(*) FROM plays WHERE skipped AND ms_played > duration_ms * 0.5"),
            0);
  EXPECT_EQ(
      Number(
          "SELECT count(*) FROM plays WHERE skipped AND reason_end NOT IN ('fwdbtn', 'backbtn')"),
      0);
  EXPECT_EQ(Number("SELECT count(*) FROM plays WHERE ms_played > duration_ms OR ms_played < 0"), 0);
}

TEST_F(Behaviour, ListenersUpgradeAndDowngrade) {
  const auto rows = duck_->Rows(
      "SELECT prev || '->' || level, count(DISTINCT user_id) FROM (SELECT user_id, level, "
      "lag(level) OVER "
      "(PARTITION BY user_id ORDER BY ts) prev FROM plays) WHERE prev <> level GROUP BY ALL ORDER "
      "BY 1");
  std::map<std::string, int> moves;
  for (const auto& r : rows.rows) moves[*r[0]] = std::stoi(*r[1]);
  EXPECT_GT(moves["free->paid"], 5);
  EXPECT_GT(moves["paid->free"], 2);
}

TEST_F(Behaviour, PopulationGrowsAndChurns) {
  // New listeners register during the range and only play after registering.
  EXPECT_GT(Number("SELECT count(*) FROM users WHERE registration_ts >= '2026-03-02'"), 20);
  EXPECT_EQ(Number("SELECT count(*) FROM plays p JOIN users u USING (user_id) WHERE p.ts < "
                   "u.registration_ts"),
            0);
  const double late_joiners_first_half = Number(
      "SELECT count(*) FROM users WHERE registration_ts BETWEEN '2026-03-02' AND '2026-03-16'");
  const double late_joiners_second_half = Number(
      "SELECT count(*) FROM users WHERE registration_ts BETWEEN '2026-03-16' AND '2026-03-30'");
  EXPECT_GT(late_joiners_second_half, late_joiners_first_half * 0.9);
  // Some active listeners stop: their last play is well before the end.
  EXPECT_GT(
      Number("SELECT count(*) FROM (SELECT user_id, max(ts) AS last_play FROM plays GROUP BY ALL) "
             "WHERE last_play < '2026-03-24'"),
      10);
}

TEST_F(Behaviour, ListenersComeFromManyCountriesAndUseManyDevices) {
  EXPECT_GE(Number("SELECT count(DISTINCT country) FROM users"), 25);
  EXPECT_GT(Number("SELECT count(*) FILTER (WHERE country = 'US') / count(*) FROM users"),
            Number("SELECT count(*) FILTER (WHERE country = 'NO') / count(*) FROM users"));
  const double free = Number("SELECT avg((level = 'free')::INT) FROM users");
  EXPECT_GT(free, 0.5);
  EXPECT_LT(free, 0.7);
  const auto devices =
      duck_->Rows("SELECT device, count(*) FROM plays GROUP BY device ORDER BY 2 DESC");
  ASSERT_GE(devices.rows.size(), 6u);
  EXPECT_EQ(*devices.rows[0][0], "mobile");
  EXPECT_GE(Number("SELECT count(DISTINCT platform) FROM plays"), 8);
}

TEST_F(Behaviour, EveryReferencedIdExistsInTheCatalogFiles) {
  EXPECT_EQ(
      Number("SELECT count(*) FROM plays WHERE track_id NOT IN (SELECT track_id FROM tracks)"), 0);
  EXPECT_EQ(
      Number("SELECT count(*) FROM plays WHERE artist_id NOT IN (SELECT artist_id FROM artists)"),
      0);
  EXPECT_EQ(
      Number("SELECT count(*) FROM plays WHERE album_id NOT IN (SELECT album_id FROM albums)"), 0);
  EXPECT_EQ(Number("SELECT count(*) FROM plays WHERE user_id NOT IN (SELECT user_id FROM users)"),
            0);
  EXPECT_EQ(Number("SELECT count(*) FROM plays p JOIN tracks t USING (track_id) "
                   "WHERE p.artist_id <> t.artist_id OR p.album_id <> t.album_id OR p.duration_ms "
                   "<> t.duration_ms"),
            0);
  EXPECT_EQ(Number("SELECT count(*) FROM plays p JOIN users u USING (user_id) "
                   "WHERE p.country <> u.country OR p.city <> u.city OR p.timezone <> u.timezone"),
            0);
  EXPECT_EQ(
      Number("SELECT count(*) FROM tracks WHERE album_id NOT IN (SELECT album_id FROM albums) "
             "OR artist_id NOT IN (SELECT artist_id FROM artists)"),
      0);
}

TEST_F(Behaviour, AudioFeaturesDifferByGenre) {
  EXPECT_EQ(Number("SELECT count(DISTINCT genre) FROM tracks"),
            static_cast<double>(Genres().size()));
  auto mean = [](const std::string& feature, const std::string& genre) {
    return Number("SELECT avg(" + feature + ") FROM tracks WHERE genre = " + QuoteLiteral(genre));
  };
  EXPECT_GT(mean("energy", "metal"), mean("energy", "classical") + 0.5);
  EXPECT_GT(mean("acousticness", "classical"), mean("acousticness", "edm") + 0.6);
  EXPECT_GT(mean("acousticness", "folk"), mean("acousticness", "edm") + 0.5);
  EXPECT_GT(mean("speechiness", "hip-hop"), mean("speechiness", "classical") + 0.1);
  EXPECT_GT(mean("tempo", "punk"), mean("tempo", "ambient") + 40);
  EXPECT_EQ(Number("SELECT count(*) FROM tracks WHERE energy NOT BETWEEN 0 AND 1 OR loudness > 0 "
                   "OR duration_ms <= 0 OR tempo <= 0"),
            0);
}

}  // namespace
}  // namespace playlake::sim
