// Every gold mart on small generated data, against answers computed
// independently from silver (own SQL written from each question's definition,
// or C++), plus the star schema's invariants, incremental = full refresh, and
// `playlake test` failing on broken data.
//
// One set-up for the suite (a real `playlake generate` + four `playlake run`s):
//   a/  the catalog alone -> run; 21 days -> run; then day 22 and a burst of
//       plays in one hour -> run (incremental). Every mart check reads a/ in
//       its final state.
//   b/  a copy of a/ after its runs, rebuilt with `playlake run --full-refresh`.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "pipeline/pipeline_test_util.h"
#include "testing/testing.h"

namespace playlake::pipeline {
namespace {

namespace fs = std::filesystem;
using testing::RunPlaylake;
using testutil::ExpectSameRows;
using testutil::Rows;
using testutil::WarehouseReader;

// The project asks for the Sparkify set too, so that incremental = full
// refresh covers songplays and time.
constexpr const char* kProjectFile = R"(name: marts-test
vars:
  sparkify_tables: true
sources:
  - name: catalog
    format: playlake-catalog
    path: data/catalog
  - name: events
    format: playlake
    path: data/events
)";

constexpr const char* kLastDay = "2026-06-30";
// The hour made anomalous by construction, and how many extra plays land in it.
constexpr const char* kBurstHour = "2026-06-30 03:00:00";
constexpr int kBurstPlays = 1500;

// True when `event` is a play the event contract accepts (the generated feed
// also carries broken ones: wrong types, missing fields, bad values).
bool IsCleanPlay(const nlohmann::json& event) {
  if (!event.is_object()) return false;
  for (const char* key :
       {"event_id", "ts", "user_id", "track_id", "session_id", "country", "timezone", "level"}) {
    if (!event.contains(key) || !event[key].is_string() || event[key].get<std::string>().empty())
      return false;
  }
  for (const char* key : {"ms_played", "duration_ms"}) {
    if (!event.contains(key) || !event[key].is_number_integer() ||
        event[key].get<long long>() < 0 || event[key].get<long long>() > 86400000) {
      return false;
    }
  }
  for (const char* key : {"shuffle", "skipped", "offline"}) {
    if (event.contains(key) && !event[key].is_boolean()) return false;
  }
  const std::string level = event["level"], country = event["country"];
  const std::string device = event.value("device", "");
  const bool known_device = device == "mobile" || device == "desktop" || device == "web" ||
                            device == "tablet" || device == "tv" || device == "car" ||
                            device == "speaker" || device == "console";
  return (level == "free" || level == "paid") && country.size() == 2 && std::isupper(country[0]) &&
         std::isupper(country[1]) && known_device;
}

// Copies the first `count` well-formed plays of `day_file` into an NDJSON file
// whose plays all start within kBurstHour, with new event ids.
std::string BurstOfPlays(const fs::path& day_file, int count) {
  std::ifstream in(day_file);
  std::string line, out;
  int written = 0;
  while (written < count && std::getline(in, line)) {
    auto event = nlohmann::json::parse(line, nullptr, false);
    if (event.is_discarded() || !IsCleanPlay(event)) continue;
    event["event_id"] = "burst-" + std::to_string(written);
    char ts[40];
    std::snprintf(ts, sizeof ts, "2026-06-30T03:%02d:%02d.000Z", (written / 60) % 60, written % 60);
    event["ts"] = ts;
    out += event.dump() + "\n";
    ++written;
  }
  EXPECT_EQ(written, count) << "not enough plays in " << day_file;
  return out;
}

class MartsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    const fs::path a = dir_->path() / "a";
    const fs::path generated = dir_->path() / "generated";
    fs::create_directories(a / "data" / "events");
    fs::create_directories(generated);
    testutil::WriteTextFile(a / "playlake.yml", kProjectFile);
    // A realistic feed: duplicates, late events and malformed lines included.
    const auto gen = RunPlaylake("generate --quiet --users 200 --seed 5 --start 2026-06-09 --end " +
                                 std::string(kLastDay) + " --dup-rate 0.005 --late-rate 0.002 " +
                                 "--bad-rate 0.0005 --out " + generated.string() +
                                 "/ --catalog-out " + (a / "data" / "catalog").string());
    ASSERT_EQ(gen.exit_code, 0) << gen.stderr_text;
    // A first run with the catalog only: every model is built empty, and the
    // incremental ones must still take all plays in the runs that follow.
    const auto empty = RunPlaylake("run --project " + a.string());
    ASSERT_EQ(empty.exit_code, 0) << empty.stderr_text;
    const std::string last_file = std::string("events-") + kLastDay + ".jsonl";
    for (const auto& entry : fs::directory_iterator(generated)) {
      if (entry.path().filename() != last_file) {
        fs::rename(entry.path(), a / "data" / "events" / entry.path().filename());
      }
    }
    const auto first = RunPlaylake("run --project " + a.string());
    ASSERT_EQ(first.exit_code, 0) << first.stderr_text;

    // One more day of data, with a burst of plays in one of its hours.
    fs::rename(generated / last_file, a / "data" / "events" / last_file);
    testutil::WriteTextFile(a / "data" / "events" / "burst.jsonl",
                            BurstOfPlays(a / "data" / "events" / last_file, kBurstPlays));
    const auto second = RunPlaylake("run --project " + a.string());
    ASSERT_EQ(second.exit_code, 0) << second.stderr_text;

    const fs::path b = dir_->path() / "b";
    fs::copy(a, b, fs::copy_options::recursive);
    const auto full = RunPlaylake("run --full-refresh --project " + b.string());
    ASSERT_EQ(full.exit_code, 0) << full.stderr_text;
  }

  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(dir_, nullptr);
    ASSERT_TRUE(fs::exists(project() / "warehouse.duckdb")) << "the suite's set-up failed";
    db_ = std::make_unique<WarehouseReader>(project() / "warehouse.duckdb");
    ASSERT_TRUE(db_->ok());
  }

  static fs::path project() { return dir_->path() / "a"; }

  // A copy of the suite's project, for a test that runs commands on it; the
  // shared reader is closed first.
  fs::path CopyOfProject(const std::string& name) {
    db_.reset();
    const fs::path copy = dir_->path() / name;
    fs::copy(project(), copy, fs::copy_options::recursive);
    return copy;
  }

  static testing::TempDir* dir_;
  std::unique_ptr<WarehouseReader> db_;
};

testing::TempDir* MartsTest::dir_ = nullptr;

double ToDouble(const std::string& text) { return text == "NULL" ? std::nan("") : std::stod(text); }

TEST_F(MartsTest, SilverHoldsTheGeneratedPlaysAndTheBurst) {
  EXPECT_GT(db_->Int("SELECT count(*) FROM silver.plays"), 20000);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM silver.plays WHERE play_id LIKE 'burst-%'"),
            kBurstPlays);
  EXPECT_EQ(db_->Int("SELECT count(DISTINCT event_date) FROM silver.plays"), 22);
}

TEST_F(MartsTest, TopTracksDailyRankOneIsTheMostPlayedTrackOfEachDay) {
  // Ties broken as the question states: plays, then listeners, then track id.
  const Rows expected = db_->Query(R"(
      WITH daily AS (
        SELECT event_date, track_id, count(*) AS plays, count(DISTINCT user_id) AS listeners
        FROM silver.plays GROUP BY ALL)
      SELECT event_date, track_id, plays FROM daily
      QUALIFY row_number() OVER (PARTITION BY event_date ORDER BY plays DESC, listeners DESC, track_id) = 1
      ORDER BY event_date)");
  const Rows actual = db_->Query(
      "SELECT play_date, track_id, plays FROM top_tracks_daily WHERE rank = 1 ORDER BY play_date");
  ASSERT_EQ(actual.size(), 22u);
  EXPECT_EQ(actual, expected);
  // The rank-1 track really has that many plays that day in silver.
  const Rows rank_one = db_->Query(R"(
      SELECT t.play_date, t.plays, (SELECT count(*) FROM silver.plays p
                                    WHERE p.event_date = t.play_date AND p.track_id = t.track_id)
      FROM top_tracks_daily t WHERE rank = 1 ORDER BY 1)");
  for (const auto& row : rank_one) EXPECT_EQ(row[1], row[2]) << "day " << row[0];
  // Ranks are dense 1..n by plays within a day.
  EXPECT_EQ(db_->Int(R"(
      SELECT count(*) FROM (SELECT play_date, rank, plays,
                                   lag(plays) OVER (PARTITION BY play_date ORDER BY rank) AS above
                            FROM top_tracks_daily) WHERE above < plays)"),
            0);
}

TEST_F(MartsTest, TrendingTracksCountTheLastSevenDaysAgainstTheSevenBefore) {
  const Rows top = db_->Query(
      "SELECT track_id, plays_recent, plays_previous, as_of_date FROM trending_tracks WHERE rank "
      "<= 5 ORDER BY rank");
  ASSERT_EQ(top.size(), 5u);
  EXPECT_EQ(top[0][3], kLastDay);
  for (const auto& row : top) {
    const std::string filter = "FROM silver.plays WHERE track_id = '" + row[0] + "'";
    EXPECT_EQ(std::to_string(db_->Int("SELECT count(*) " + filter +
                                      " AND event_date > DATE '2026-06-30' - 7")),
              row[1])
        << row[0];
    EXPECT_EQ(std::to_string(db_->Int("SELECT count(*) " + filter +
                                      " AND event_date <= DATE '2026-06-30' - 7"
                                      " AND event_date > DATE '2026-06-30' - 14")),
              row[2])
        << row[0];
  }
  // The top five by the documented score, computed from silver.
  const Rows expected = db_->Query(R"(
      WITH counts AS (
        SELECT track_id,
               count(*) FILTER (WHERE event_date > DATE '2026-06-30' - 7) AS recent,
               count(*) FILTER (WHERE event_date <= DATE '2026-06-30' - 7 AND event_date > DATE '2026-06-30' - 14) AS previous
        FROM silver.plays GROUP BY track_id)
      SELECT track_id FROM counts WHERE recent > 0
      ORDER BY (recent - previous) / sqrt(previous + 10.0) DESC, recent DESC, track_id LIMIT 5)");
  Rows actual;
  for (const auto& row : top) actual.push_back({row[0]});
  EXPECT_EQ(actual, expected);
}

TEST_F(MartsTest, RegionalTrendsCountryTotalsMatchSilver) {
  const Rows expected = db_->Query(
      "SELECT coalesce(country, 'unknown'), count(*), count(DISTINCT user_id) FROM silver.plays "
      "GROUP BY 1 ORDER BY 1");
  const Rows actual = db_->Query(
      "SELECT country, plays, listeners FROM regional_trends WHERE geo_level = 'country' ORDER BY "
      "1");
  ASSERT_GT(expected.size(), 3u);
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(db_->Int("SELECT sum(plays) FROM regional_trends WHERE geo_level = 'city'"),
            db_->Int("SELECT count(*) FROM silver.plays"));
}

TEST_F(MartsTest, RegionsCarryTheirIsoSubdivisionNames) {
  // The simulator's places, by the names ISO 3166-2 gives their codes (Debian's iso-codes).
  const Rows named = db_->Query(
      "SELECT country, region, region_name FROM dim_regions "
      "WHERE (country, region) IN (('JP', '13'), ('US', 'NY'), ('PH', '00')) ORDER BY 1");
  EXPECT_EQ(named, (Rows{{"JP", "13", "Tokyo"},
                         {"PH", "00", "National Capital Region"},
                         {"US", "NY", "New York"}}));
  // Every region the simulator writes has its ISO name; a place without a region has none.
  EXPECT_EQ(
      db_->Query("SELECT region_name FROM dim_regions WHERE country = 'PL' AND region = '14'"),
      (Rows{{"Mazowieckie"}}));
  EXPECT_EQ(db_->Int("SELECT count(*) FROM dim_regions WHERE region_name = region"), 0);
  EXPECT_EQ(
      db_->Int("SELECT count(*) FROM dim_regions WHERE region IS NOT NULL AND region_name IS NULL"),
      0);
  EXPECT_EQ(
      db_->Int("SELECT count(*) FROM dim_regions WHERE region IS NULL AND region_name IS NOT NULL"),
      0);
  // The dashboard's cube and the regional mart carry the same names.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM (SELECT DISTINCT country, region, region_name FROM "
                     "agg_listener_days "
                     "EXCEPT SELECT country, region, region_name FROM dim_regions)"),
            0);
  EXPECT_EQ(
      db_->Query(
          "SELECT DISTINCT region_name FROM regional_trends WHERE country = 'JP' AND region = '13' "
          "AND geo_level <> 'country'"),
      (Rows{{"Tokyo"}}));
}

// Regions as files from elsewhere carry them: the code with its country prefix, in lower
// case, a name instead of a code, a code ISO 3166-2 does not list, and none.
TEST(DimRegions, NamesFullCodesAndKeepsWhatIsoDoesNotList) {
  testing::TempDir dir;
  fs::create_directories(dir.path() / "data" / "events");
  testutil::WriteTextFile(
      dir.path() / "playlake.yml",
      "name: regions\nsources:\n  - name: events\n    format: playlake\n    path: data/events\n");
  std::string lines;
  const std::vector<std::pair<std::string, std::string>> places = {
      {"JP", "\"region\":\"13\","},
      {"JP", "\"region\":\"jp-27\","},
      {"US", "\"region\":\"California\","},
      {"PL", "\"region\":\"MZ\","},
      {"SE", ""}};
  for (size_t i = 0; i < places.size(); ++i) {
    const std::string n = std::to_string(i + 1);
    lines += "{\"event_id\":\"e" + n + "\",\"ts\":\"2026-06-0" + n +
             "T10:00:00Z\",\"user_id\":\"u" + n +
             "\",\"track_id\":\"t1\",\"ms_played\":200000,\"country\":\"" + places[i].first +
             "\"," + places[i].second + "\"timezone\":\"UTC\",\"level\":\"free\"}\n";
  }
  testutil::WriteTextFile(dir.path() / "data" / "events" / "plays.jsonl", lines);
  const auto run = RunPlaylake("run --project " + dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  WarehouseReader db(dir.path() / "warehouse.duckdb");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db.Query("SELECT country, coalesce(region, ''), coalesce(region_name, 'null') FROM "
                     "dim_regions ORDER BY 1, 2"),
            (Rows{{"JP", "13", "Tokyo"},
                  {"JP", "jp-27", "Osaka"},
                  {"PL", "MZ", "MZ"},
                  {"SE", "", "null"},
                  {"US", "California", "California"},
                  {"unknown", "", "null"}}));
  // A project that does not ask for the Sparkify set gets none of it.
  EXPECT_EQ(db.Int("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'main' "
                   "AND table_name IN ('songplays', 'songs', 'artists', 'users', 'time')"),
            0);
  EXPECT_EQ(db.Int("SELECT count(*) FROM information_schema.tables WHERE table_name = 'fct_plays'"),
            1);
}

// A project built by an older Playlake, whose incremental dim_regions and
// agg_listener_days had no region_name, gains it on its next run: the shipped
// models rebuild an incremental model whose columns changed.
TEST(DimRegions, AnOlderProjectGainsRegionNamesOnItsNextRun) {
  testing::TempDir dir;
  testutil::WriteTextFile(
      dir.path() / "playlake.yml",
      "name: upgrade\nsources:\n  - name: events\n    format: playlake\n    path: data\n");
  auto play = [](int n, const std::string& region) {
    return "{\"event_id\":\"e" + std::to_string(n) + "\",\"ts\":\"2026-06-0" + std::to_string(n) +
           "T10:00:00Z\",\"user_id\":\"u1\",\"track_id\":\"t1\",\"ms_played\":200000,\"country\":"
           "\"JP\","
           "\"region\":\"" +
           region + "\"}\n";
  };
  testutil::WriteTextFile(dir.path() / "data" / "day1.jsonl", play(1, "13"));
  ASSERT_EQ(RunPlaylake("run --project " + dir.path().string()).exit_code, 0);
  {
    WarehouseReader old(dir.path() / "warehouse.duckdb", /*read_only=*/false);
    ASSERT_TRUE(
        old.Execute("ALTER TABLE dim_regions DROP COLUMN region_name; "
                    "ALTER TABLE agg_listener_days DROP COLUMN region_name"));
  }
  testutil::WriteTextFile(dir.path() / "data" / "day2.jsonl", play(2, "27"));
  const auto run = RunPlaylake("run --project " + dir.path().string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  WarehouseReader db(dir.path() / "warehouse.duckdb");
  EXPECT_EQ(db.Query("SELECT region, region_name FROM dim_regions WHERE country = 'JP' ORDER BY 1"),
            (Rows{{"13", "Tokyo"}, {"27", "Osaka"}}));
  EXPECT_EQ(
      db.Query(
          "SELECT DISTINCT region_name FROM agg_listener_days WHERE country = 'JP' ORDER BY 1"),
      (Rows{{"Osaka"}, {"Tokyo"}}));
}

TEST_F(MartsTest, DeviceUsageSplitsEveryPlay) {
  EXPECT_EQ(db_->Int("SELECT sum(plays) FROM device_usage"),
            db_->Int("SELECT count(*) FROM silver.plays"));
  const Rows expected = db_->Query(
      "SELECT coalesce(device, 'unknown'), coalesce(platform, '-'), count(*), count(DISTINCT "
      "user_id), "
      "round(avg(CASE WHEN level = 'paid' THEN 1.0 ELSE 0.0 END), 6) FROM silver.plays "
      "GROUP BY ALL ORDER BY 1, 2");
  const Rows actual = db_->Query(
      "SELECT device, coalesce(platform, '-'), plays, listeners, round(paid_share, 6) FROM "
      "device_usage "
      "ORDER BY 1, 2");
  EXPECT_EQ(actual, expected);
  EXPECT_NEAR(ToDouble(db_->Scalar("SELECT sum(plays_share_pct) FROM device_usage")), 100.0, 0.1);
}

TEST_F(MartsTest, HourlyActivityUsesTheListenersLocalTime) {
  const Rows expected = db_->Query(R"(
      SELECT isodow(timezone(coalesce(timezone, 'UTC'), event_ts)), hour(timezone(coalesce(timezone, 'UTC'), event_ts)), count(*)
      FROM silver.plays GROUP BY ALL ORDER BY 1, 2)");
  const Rows actual =
      db_->Query("SELECT local_weekday, local_hour, plays FROM hourly_activity ORDER BY 1, 2");
  ASSERT_EQ(expected.size(), 7u * 24u);
  EXPECT_EQ(actual, expected);
  // Not the UTC hours: the listeners span many time zones.
  const Rows utc = db_->Query(
      "SELECT isodow(event_ts), hour(event_ts), count(*) FROM silver.plays GROUP BY ALL ORDER BY "
      "1, 2");
  EXPECT_NE(actual, utc);
}

TEST_F(MartsTest, GenreTrendsWeekOverWeekGrowthOfTheBiggestGenre) {
  const std::string genre = db_->Scalar(R"(
      SELECT t.genre FROM silver.plays p JOIN silver.tracks t USING (track_id)
      GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1)");
  const Rows weekly = db_->Query(
      "SELECT date_trunc('week', p.event_date)::DATE, count(*) FROM silver.plays p "
      "JOIN silver.tracks t USING (track_id) WHERE t.genre = '" +
      genre + "' GROUP BY 1 ORDER BY 1");
  const Rows mart = db_->Query(
      "SELECT week_start, plays, coalesce(wow_growth_pct::VARCHAR, 'NULL') "
      "FROM genre_trends WHERE genre = '" +
      genre + "' ORDER BY 1");
  ASSERT_GE(weekly.size(), 3u);
  ASSERT_EQ(mart.size(), weekly.size());
  for (size_t i = 0; i < weekly.size(); ++i) {
    EXPECT_EQ(mart[i][0], weekly[i][0]);
    EXPECT_EQ(mart[i][1], weekly[i][1]) << weekly[i][0];
    if (i == 0) {
      EXPECT_EQ(mart[i][2], "NULL") << "the first week has no previous week";
      continue;
    }
    const double previous = std::stod(weekly[i - 1][1]), current = std::stod(weekly[i][1]);
    EXPECT_NEAR(ToDouble(mart[i][2]), 100.0 * (current - previous) / previous, 0.051)
        << weekly[i][0];
  }
}

TEST_F(MartsTest, ArtistRankingRankAndPreviousRankOfTheTopArtist) {
  const std::string artist = db_->Scalar(
      "SELECT artist_id FROM silver.plays GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1");
  // Weekly ranks from silver, computed in C++ from the plays per (week, artist).
  const Rows counts = db_->Query(
      "SELECT date_trunc('week', event_date)::DATE, artist_id, count(*), count(DISTINCT user_id) "
      "FROM silver.plays GROUP BY 1, 2");
  std::map<std::string, std::vector<std::tuple<long long, long long, std::string>>> by_week;
  for (const auto& row : counts)
    by_week[row[0]].emplace_back(std::stoll(row[2]), std::stoll(row[3]), row[1]);
  std::map<std::string, int> rank_of;  // week -> rank of `artist`
  for (auto& [week, artists] : by_week) {
    std::sort(artists.begin(), artists.end(), [](const auto& x, const auto& y) {
      if (std::get<0>(x) != std::get<0>(y)) return std::get<0>(x) > std::get<0>(y);
      if (std::get<1>(x) != std::get<1>(y)) return std::get<1>(x) > std::get<1>(y);
      return std::get<2>(x) < std::get<2>(y);
    });
    for (size_t i = 0; i < artists.size(); ++i) {
      if (std::get<2>(artists[i]) == artist) rank_of[week] = static_cast<int>(i + 1);
    }
  }
  const Rows mart = db_->Query(
      "SELECT week_start, rank, coalesce(previous_rank::VARCHAR, 'NULL') "
      "FROM artist_ranking WHERE artist_id = '" +
      artist + "' ORDER BY 1");
  ASSERT_EQ(mart.size(), rank_of.size());
  std::string previous_week;
  for (const auto& row : mart) {
    EXPECT_EQ(std::stoi(row[1]), rank_of[row[0]]) << row[0];
    if (previous_week.empty()) {
      EXPECT_EQ(row[2], "NULL");
    } else {
      EXPECT_EQ(row[2], std::to_string(rank_of[previous_week])) << row[0];
    }
    previous_week = row[0];
  }
}

TEST_F(MartsTest, AudioFeaturesMedianDanceabilityOfOneGenre) {
  const std::string genre = db_->Scalar(
      "SELECT genre FROM silver.tracks WHERE danceability IS NOT NULL GROUP BY 1 ORDER BY count(*) "
      "DESC, 1 LIMIT 1");
  std::vector<double> values;
  for (const auto& row : db_->Query("SELECT danceability FROM silver.tracks WHERE genre = '" +
                                    genre + "' AND danceability IS NOT NULL")) {
    values.push_back(std::stod(row[0]));
  }
  ASSERT_GT(values.size(), 10u);
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  const double median = n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
  const Rows mart =
      db_->Query("SELECT median, tracks FROM audio_features_by_genre WHERE genre = '" + genre +
                 "' AND feature = 'danceability'");
  ASSERT_EQ(mart.size(), 1u);
  EXPECT_NEAR(std::stod(mart[0][0]), median, 1e-9);
  EXPECT_EQ(mart[0][1], std::to_string(n));
}

// audio_features_by_genre is rebuilt only when the catalogs change: a catalog
// that arrives after the plays (a second catalog source) reaches it on the
// next run, as a full refresh would have it.
TEST_F(MartsTest, AudioFeaturesTakeACatalogThatArrivesLater) {
  const Rows known = db_->Query("SELECT artist_id, album_id FROM dim_albums LIMIT 1");
  ASSERT_EQ(known.size(), 1u);
  const fs::path c = CopyOfProject("later_catalog");
  std::string tracks;
  for (int i = 1; i <= 5; ++i) {
    const std::string n = std::to_string(i);
    tracks += R"({"track_id":"late)" + n + R"(","name":"Late )" + n + R"(","artist_id":")" +
              known[0][0] + R"(","album_id":")" + known[0][1] +
              R"(","genre":"late-genre","duration_ms":200000,"release_date":"2026-01-01",)" +
              R"("explicit":false,"danceability":0.)" + n +
              R"(,"energy":0.5,"valence":0.5,"acousticness":0.5,"instrumentalness":0.0,)" +
              R"("speechiness":0.1,"liveness":0.2,"tempo":120.0,"loudness":-8.0})" + "\n";
  }
  testutil::WriteTextFile(c / "data" / "catalog2" / "tracks.jsonl", tracks);
  testutil::WriteTextFile(c / "playlake.yml", std::string(kProjectFile) +
                                                  "  - name: catalog2\n"
                                                  "    format: playlake-catalog\n"
                                                  "    path: data/catalog2\n");
  const auto run = RunPlaylake("run --project " + c.string());
  ASSERT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  const fs::path d = dir_->path() / "later_catalog_full";
  fs::copy(c, d, fs::copy_options::recursive);
  const auto full = RunPlaylake("run --full-refresh --project " + d.string());
  ASSERT_EQ(full.exit_code, 0) << full.stdout_text << full.stderr_text;

  WarehouseReader db(c / "warehouse.duckdb");
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(db.Query("SELECT tracks, median FROM audio_features_by_genre "
                     "WHERE genre = 'late-genre' AND feature = 'danceability'"),
            (Rows{{"5", "0.3"}}));
  ASSERT_TRUE(db.Execute("ATTACH '" + (d / "warehouse.duckdb").string() + "' AS b (READ_ONLY)"));
  // The dimensions built incrementally by key rebuild every key when a catalog changes.
  for (const std::string table :
       {"audio_features_by_genre", "dim_tracks", "dim_artists", "dim_albums", "dim_users"}) {
    ExpectSameRows(db, table);
  }
}

TEST_F(MartsTest, UserEngagementPlaysAndSessionsOfAFewListeners) {
  const Rows expected = db_->Query(R"(
      SELECT user_id, count(*), count(DISTINCT session_id) FROM silver.plays
      WHERE user_id IN (SELECT user_id FROM silver.plays GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 3)
         OR user_id IN (SELECT user_id FROM silver.plays GROUP BY 1 ORDER BY count(*), 1 LIMIT 2)
      GROUP BY 1 ORDER BY 1)");
  ASSERT_EQ(expected.size(), 5u);
  std::string ids;
  for (const auto& row : expected) ids += (ids.empty() ? "'" : ", '") + row[0] + "'";
  EXPECT_EQ(db_->Query("SELECT user_id, plays, sessions FROM user_engagement WHERE user_id IN (" +
                       ids + ") ORDER BY 1"),
            expected);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM user_engagement"),
            db_->Int("SELECT count(DISTINCT user_id) FROM silver.plays"));
}

TEST_F(MartsTest, UserEngagementCountsEveryLevelChange) {
  // Each listener's levels in play order, walked here pair by pair.
  const Rows histories = db_->Query(
      "SELECT user_id, string_agg(coalesce(level, 'unknown'), ',' ORDER BY event_ts, play_id) "
      "FROM silver.plays GROUP BY 1 ORDER BY 1");
  Rows expected;
  std::int64_t upgrades = 0, downgrades = 0;
  for (const auto& row : histories) {
    std::int64_t up = 0, down = 0;
    std::string previous, level;
    for (std::size_t start = 0; start <= row[1].size();) {
      const std::size_t comma = std::min(row[1].find(',', start), row[1].size());
      level = row[1].substr(start, comma - start);
      up += previous == "free" && level == "paid";
      down += previous == "paid" && level == "free";
      previous = level;
      start = comma + 1;
    }
    upgrades += up;
    downgrades += down;
    expected.push_back({row[0], std::to_string(up), std::to_string(down)});
  }
  ASSERT_GT(upgrades + downgrades, 0) << "the generated month has plan changes";
  EXPECT_EQ(db_->Query("SELECT user_id, upgrades, downgrades FROM user_engagement ORDER BY 1"),
            expected);
}

TEST_F(MartsTest, RetentionCohortSizesSumToAllListeners) {
  EXPECT_EQ(
      db_->Int("SELECT sum(cohort_size) FROM retention_cohorts WHERE weeks_since_first_play = 0"),
      db_->Int("SELECT count(DISTINCT user_id) FROM silver.plays"));
  // Each cohort: the listeners whose first play falls in that week.
  EXPECT_EQ(db_->Query("SELECT cohort_week, cohort_size FROM retention_cohorts "
                       "WHERE weeks_since_first_play = 0 ORDER BY 1"),
            db_->Query(
                "WITH firsts AS (SELECT user_id, date_trunc('week', min(event_date))::DATE AS week "
                "FROM silver.plays GROUP BY user_id) SELECT week, count(*) FROM firsts GROUP BY 1 "
                "ORDER BY 1"));
  EXPECT_EQ(db_->Int("SELECT count(*) FROM retention_cohorts WHERE weeks_since_first_play = 0 "
                     "AND active_listeners <> cohort_size"),
            0);
}

TEST_F(MartsTest, KpiDailyPlaysAndSevenDayAverage) {
  const Rows expected =
      db_->Query("SELECT event_date, count(*) FROM silver.plays GROUP BY 1 ORDER BY 1");
  const Rows actual = db_->Query("SELECT kpi_date, plays FROM kpi_daily ORDER BY 1");
  ASSERT_EQ(expected.size(), 22u);
  EXPECT_EQ(actual, expected);
  // The 7-day rolling average of day 10, by hand.
  double sum = 0;
  for (size_t i = 3; i <= 9; ++i) sum += std::stod(expected[i][1]);
  EXPECT_NEAR(ToDouble(db_->Scalar("SELECT plays_7d_avg FROM kpi_daily WHERE kpi_date = '" +
                                   expected[9][0] + "'")),
              sum / 7, 1e-9);
  // The first day averages over itself only.
  EXPECT_NEAR(ToDouble(db_->Scalar("SELECT plays_7d_avg FROM kpi_daily ORDER BY kpi_date LIMIT 1")),
              std::stod(expected[0][1]), 1e-9);
  // listening_by_kind's music rows are the same days' figures.
  EXPECT_EQ(db_->Query("SELECT date_key, plays, listeners, CAST(round(listening_hours * 3600000) "
                       "AS BIGINT) FROM listening_by_kind WHERE kind = 'music' ORDER BY 1"),
            db_->Query("SELECT event_date, count(*), count(DISTINCT user_id), sum(ms_played) FROM "
                       "silver.plays GROUP BY 1 ORDER BY 1"));
  // Each day's top country: the most plays, ties to the first code.
  EXPECT_EQ(db_->Query("SELECT kpi_date, top_country FROM kpi_daily ORDER BY 1"),
            db_->Query("SELECT event_date, arg_min(country, (-plays, country)) FROM ("
                       "SELECT event_date, coalesce(country, 'unknown') AS country, count(*) AS "
                       "plays FROM silver.plays GROUP BY ALL) GROUP BY 1 ORDER BY 1"));
}

TEST_F(MartsTest, VolumeAnomaliesFlagTheBurstHour) {
  const std::string hour = std::string("TIMESTAMP '") + kBurstHour + "'";
  const Rows row =
      db_->Query("SELECT plays, is_anomaly FROM volume_anomalies WHERE hour_start = " + hour);
  ASSERT_EQ(row.size(), 1u);
  EXPECT_EQ(std::stoll(row[0][0]), db_->Int("SELECT count(*) FROM silver.plays WHERE "
                                            "date_trunc('hour', timezone('UTC', event_ts)) = " +
                                            hour));
  EXPECT_GE(std::stoll(row[0][0]), kBurstPlays);
  EXPECT_EQ(row[0][1], "true");
  // The same hour the day before is ordinary.
  EXPECT_EQ(db_->Scalar("SELECT is_anomaly FROM volume_anomalies WHERE hour_start = " + hour +
                        " - INTERVAL 1 DAY"),
            "false");
  // Every hour from the first play to the last, none twice.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM volume_anomalies"),
            db_->Int("SELECT count(DISTINCT hour_start) FROM volume_anomalies"));
  EXPECT_EQ(db_->Int("SELECT sum(plays) FROM volume_anomalies"),
            db_->Int("SELECT count(*) FROM silver.plays"));
}

TEST_F(MartsTest, StarSchemaKeysFindTheirDimensions) {
  EXPECT_EQ(db_->Int("SELECT count(*) FROM fct_plays"),
            db_->Int("SELECT count(DISTINCT play_id) FROM silver.plays"));
  const std::pair<const char*, const char*> keys[] = {
      {"track_key", "dim_tracks"},   {"artist_key", "dim_artists"}, {"album_key", "dim_albums"},
      {"region_key", "dim_regions"}, {"device_key", "dim_devices"}, {"date_key", "dim_date"},
      {"time_key", "dim_time"},
  };
  for (const auto& [key, dim] : keys) {
    EXPECT_EQ(db_->Int(std::string("SELECT count(*) FROM fct_plays f ANTI JOIN ") + dim +
                       " d USING (" + key + ")"),
              0)
        << key << " -> " << dim;
  }
  // The track, artist and album a play's keys find are the ones the play named.
  for (const char* name : {"track", "artist", "album"}) {
    EXPECT_EQ(db_->Int(fmt::format(
                  "SELECT count(*) FROM fct_plays f JOIN stg_plays p USING (play_id) "
                  "JOIN dim_{0}s d USING ({0}_key) WHERE d.{0}_id <> coalesce(p.{0}_id, 'unknown')",
                  name)),
              0)
        << name;
  }
  // Each play finds exactly one dim_users period: the one it was played in, at its level.
  EXPECT_EQ(db_->Int(R"(
      SELECT count(*) FROM (
        SELECT f.play_id, count(d.user_key) AS periods, bool_and(d.level = f.level) AS same_level
        FROM fct_plays f LEFT JOIN dim_users d
          ON f.user_id = d.user_id AND f.played_at >= d.valid_from
         AND (d.valid_to IS NULL OR f.played_at < d.valid_to)
        GROUP BY f.play_id) WHERE periods <> 1 OR NOT same_level)"),
            0);
}

TEST_F(MartsTest, DimUsersPeriodsNeverOverlapAndOneIsCurrent) {
  EXPECT_EQ(db_->Int(R"(
      SELECT count(*) FROM (
        SELECT valid_to, lead(valid_from) OVER (PARTITION BY user_id ORDER BY valid_from) AS next_from
        FROM dim_users) WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to > next_from))"),
            0);
  EXPECT_EQ(db_->Int("SELECT count(*) FROM (SELECT user_id FROM dim_users GROUP BY 1 "
                     "HAVING count(*) FILTER (WHERE is_current) <> 1)"),
            0);
  // Every listener of silver has a row; some changed level during the data.
  EXPECT_EQ(db_->Int("SELECT count(*) FROM (SELECT DISTINCT user_id FROM silver.plays) ANTI JOIN "
                     "dim_users USING (user_id)"),
            0);
  EXPECT_GT(db_->Int("SELECT count(*) FROM dim_users WHERE version > 1"), 0);
}

TEST_F(MartsTest, IncrementalRunEqualsFullRefresh) {
  // The incremental run really was incremental: fct_plays grew by the new day only.
  const auto runs = testing::ReadFile(project() / "target" / "runs.jsonl");
  EXPECT_EQ(std::count(runs.begin(), runs.end(), '\n'), 3);
  ASSERT_TRUE(db_->Execute("ATTACH '" + (dir_->path() / "b" / "warehouse.duckdb").string() +
                           "' AS b (READ_ONLY)"));
  for (const std::string table : {"fct_plays",         "int_sessions",      "int_level_changes",
                                  "int_user_metrics",  "dim_users",         "agg_kpi_days",
                                  "agg_genre_weeks",   "agg_artist_weeks",  "dim_regions",
                                  "dim_devices",       "int_tracks_played", "dim_tracks",
                                  "kpi_daily",         "genre_trends",      "top_tracks_daily",
                                  "artist_ranking",    "trending_tracks",   "volume_anomalies",
                                  "user_engagement",   "songplays",         "time",
                                  "agg_listener_days", "agg_track_days",    "agg_track_slices",
                                  "agg_local_hours",   "dim_artists",       "dim_albums",
                                  "hourly_activity",   "regional_trends",   "device_usage",
                                  "listening_by_kind", "retention_cohorts", "int_listener_hours"}) {
    ExpectSameRows(*db_, table);
  }
  // The two runs that loaded plays stamped them with two loaded_at values (the catalog-only run
  // added none).
  EXPECT_EQ(db_->Int("SELECT count(DISTINCT loaded_at) FROM fct_plays"), 2);
  // Both of int_level_changes' paths ran: listeners whose new plays came after their latest one,
  // and listeners with a late play, recomputed from all their plays.
  const std::string by_listener = R"(
      WITH first_run AS (SELECT user_id, max(played_at) AS latest FROM fct_plays
                         WHERE loaded_at = (SELECT min(loaded_at) FROM fct_plays) GROUP BY user_id),
           second_run AS (SELECT user_id, min(played_at) AS earliest FROM fct_plays
                          WHERE loaded_at = (SELECT max(loaded_at) FROM fct_plays) GROUP BY user_id)
      SELECT count(*) FROM first_run JOIN second_run USING (user_id) WHERE )";
  EXPECT_GT(db_->Int(by_listener + "earliest > latest"), 0);
  EXPECT_GT(db_->Int(by_listener + "earliest < latest"), 0);
  // Late events of the new day's file landed on earlier dates, and the incremental run kept them.
  EXPECT_GT(db_->Int("SELECT count(*) FROM fct_plays f JOIN silver.plays p USING (play_id) "
                     "WHERE p.source_file LIKE '%2026-06-30%' AND f.date_key < DATE '2026-06-30'"),
            0);
}

TEST_F(MartsTest, FactRebuiltAloneHandsEveryPlayOverAgainAndNothingCountsTwice) {
  // fct_plays rebuilt by itself stamps every play with a new loaded_at, so the
  // next run gives every play to the models built on it as new.
  const fs::path d = CopyOfProject("d");
  const auto refresh =
      RunPlaylake("build --full-refresh --select fct_plays --project " + d.string());
  ASSERT_EQ(refresh.exit_code, 0) << refresh.stdout_text << refresh.stderr_text;
  const auto run = RunPlaylake("run --project " + d.string());
  ASSERT_EQ(run.exit_code, 0) << run.stdout_text << run.stderr_text;
  WarehouseReader db(d / "warehouse.duckdb");
  ASSERT_TRUE(db.ok());
  ASSERT_TRUE(db.Execute("ATTACH '" + (dir_->path() / "b" / "warehouse.duckdb").string() +
                         "' AS b (READ_ONLY)"));
  EXPECT_EQ(db.Int("SELECT count(DISTINCT loaded_at) FROM fct_plays"), 1);
  for (const std::string table :
       {"int_sessions", "int_level_changes", "int_user_metrics", "user_engagement",
        "int_tracks_played", "dim_regions", "dim_devices", "agg_kpi_days", "agg_listener_days",
        "kpi_daily", "agg_track_days", "agg_track_slices", "agg_artist_weeks", "agg_genre_weeks",
        "hourly_activity", "top_tracks_daily", "int_listener_hours"}) {
    ExpectSameRows(db, table);
  }
}

TEST_F(MartsTest, PlaylakeTestFailsWithExitCodeSevenOnBrokenGold) {
  const fs::path c = CopyOfProject("c");
  const auto clean = RunPlaylake("test --project " + c.string());
  ASSERT_EQ(clean.exit_code, 0) << clean.stdout_text << clean.stderr_text;
  {
    WarehouseReader writable(c / "warehouse.duckdb", /*read_only=*/false);
    ASSERT_TRUE(writable.ok());
    ASSERT_TRUE(
        writable.Execute("INSERT INTO fct_plays SELECT * FROM fct_plays ORDER BY play_id LIMIT 1"));
    ASSERT_TRUE(
        writable.Execute("UPDATE fct_plays SET ms_played = -5 WHERE play_id = (SELECT max(play_id) "
                         "FROM fct_plays)"));
  }
  const auto broken = RunPlaylake("test --json --project " + c.string());
  EXPECT_EQ(broken.exit_code, 7) << broken.stderr_text;
  const auto results = nlohmann::json::parse(broken.stdout_text, nullptr, false);
  ASSERT_FALSE(results.is_discarded()) << broken.stdout_text;
  std::vector<std::string> failed;
  for (const auto& r : results["results"]) {
    if (r.value("status", "") == "fail") failed.push_back(r.value("unique_id", ""));
  }
  const auto has = [&](const std::string& part) {
    return std::any_of(failed.begin(), failed.end(),
                       [&](const auto& id) { return id.find(part) != std::string::npos; });
  };
  EXPECT_TRUE(has("unique_fct_plays_play_key")) << broken.stdout_text.substr(0, 2000);
  EXPECT_TRUE(has("assert_no_negative_plays")) << broken.stdout_text.substr(0, 2000);
}

}  // namespace
}  // namespace playlake::pipeline
