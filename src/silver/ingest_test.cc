// Ingest end to end through the library API, on real and constructed data.
#include "silver/ingest.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>

#include "silver/test_util.h"
#include "testing/testing.h"

namespace playlake::silver {
namespace {

namespace fs = std::filesystem;
using testing::RealData;
using testing::TempDir;

TEST(IngestRealData, SparkifyLandsEveryRecordAndCountsMatchTheRawFiles) {
  TempDir dir;
  TestLake lake(dir / "lake");
  // Expectations come from the raw files, parsed independently.
  std::int64_t plays = 0, page_views = 0, mojibake_plays = 0;
  std::set<std::string> song_files, artist_ids;
  // Double-encoded text in the raw JSON: \u00c2 or \u00c3 followed by an
  // escaped C1 control or Latin-1 character (\u0080-\u00ff).
  const auto mojibake = [](const std::string& line) {
    for (std::size_t i = line.find("\\u00c"); i != std::string::npos; i = line.find("\\u00c", i + 1)) {
      if (i + 12 > line.size() || (line[i + 5] != '2' && line[i + 5] != '3')) continue;
      if (line.compare(i + 6, 4, "\\u00") == 0 && std::string_view("89abcdef").find(line[i + 10]) != std::string_view::npos) {
        return true;
      }
    }
    return false;
  };
  for (const auto& entry : fs::recursive_directory_iterator(RealData() / "sparkify")) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    if (entry.path().string().find("log_data") != std::string::npos) {
      std::string line;
      while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto j = nlohmann::json::parse(line);
        if (j["page"] == "NextSong") {
          ++plays;
          if (mojibake(line)) ++mojibake_plays;
        } else {
          ++page_views;
        }
      }
    } else {
      const auto j = nlohmann::json::parse(in);
      song_files.insert(j["song_id"].get<std::string>());
      artist_ids.insert(j["artist_id"].get<std::string>());
    }
  }
  ASSERT_GT(plays, 6000);
  auto report = lake.Ingest({(RealData() / "sparkify").string()});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->AnyFailed()) << report->ToText();
  EXPECT_EQ(lake.Count("plays"), plays);
  EXPECT_EQ(lake.Count("page_views"), page_views);
  EXPECT_EQ(lake.Count("tracks"), static_cast<std::int64_t>(song_files.size()));
  EXPECT_EQ(lake.Count("artists"), static_cast<std::int64_t>(artist_ids.size()));
  EXPECT_EQ(lake.Count("quarantine"), 0);
  // 326 plays carry double-encoded UTF-8 in the raw file; none is left in silver.
  EXPECT_EQ(mojibake_plays, 326);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE regexp_matches(artist_name || track_name, "
                        "'[ÂÃ][\\x{80}-\\x{BF}]')"),
            "0");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE artist_name = 'Björk'"), "33");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE user_agent LIKE '\"%'"), "0");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE country = 'US' AND timezone IS NOT NULL"),
            std::to_string(plays));
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE CAST(event_ts AS DATE) <> event_date"), "0");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM tracks WHERE year = 0"), "0");
  EXPECT_EQ(lake.Scalar("SELECT count(DISTINCT user_id) FROM users"),
            lake.Scalar("SELECT count(DISTINCT user_id) FROM (SELECT user_id FROM plays UNION ALL "
                        "SELECT user_id FROM page_views) WHERE user_id IS NOT NULL"));
}

TEST(IngestRealData, SpotifyHistoryBecomesThePlaysOfOneListener) {
  TempDir dir;
  TestLake lake(dir / "lake");
  std::int64_t tracks = 0, episodes = 0;
  for (const auto& name : {"Streaming_History_Audio_2022.json", "Streaming_History_Audio_2023.json",
                           "Streaming_History_Video_2023.json", "StreamingHistory3.json"}) {
    std::ifstream in(RealData() / "spotify_history" / name);
    for (const auto& row : nlohmann::json::parse(in)) {
      if (row.contains("spotify_episode_uri") && row["spotify_track_uri"].is_null()) {
        ++episodes;
      } else {
        ++tracks;
      }
    }
  }
  auto report = lake.Ingest({(RealData() / "spotify_history").string()}, "alice");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->AnyFailed()) << report->ToText();
  EXPECT_EQ(lake.Count("plays"), tracks);
  EXPECT_EQ(lake.Count("episodes"), episodes);
  EXPECT_EQ(lake.Count("quarantine"), 0);
  EXPECT_EQ(lake.Scalar("SELECT string_agg(DISTINCT user_id) FROM plays"), "alice");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE track_id LIKE 'spotify:%'"), "0");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE event_ts > end_ts"), "0");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE source_format = 'spotify-history' AND "
                        "(device IS NULL OR platform IS NULL)"),
            "0");
  // offline_timestamp is in seconds in these exports: it lands near the play.
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE offline_ts IS NOT NULL AND "
                        "abs(epoch(offline_ts) - epoch(end_ts)) > 86400 * 2"),
            "0");
}

// The schema fingerprint of a Parquet file's columns as DuckDB reports them.
std::string FingerprintOfFile(warehouse::Connection& conn, const std::string& url,
                              const std::string& columns_sql) {
  auto columns = conn.Query(fmt::format(fmt::runtime(columns_sql), warehouse::QuoteLiteral(url)));
  EXPECT_TRUE(columns) << columns.error().message;
  if (!columns) return "";
  lake::FileColumns file_columns;
  for (const auto& row : columns->rows) file_columns.emplace_back(*row[0], *row[1]);
  return lake::SchemaFingerprint(file_columns);
}

TEST(IngestRealData, EverySilverFileRecordsTheSchemaFingerprintOfItsColumns) {
  TempDir dir;
  TestLake lake(dir / "lake");
  // A day of Sparkify events with a broken line at the end, for a quarantine file.
  WriteFile(dir / "in" / "2018-11-30-events.json",
            testing::ReadFile(RealData() / "sparkify/log_data/2018/11/2018-11-30-events.json") +
                "{\"ts\": broken\n");
  for (const auto& [path, user] :
       std::vector<std::pair<fs::path, std::string>>{{RealData() / "sparkify", ""},
                                                     {dir / "in", ""},
                                                     {RealData() / "spotify_history", "alice"}}) {
    auto report = lake.Ingest({path.string()}, user);
    ASSERT_TRUE(report) << report.error().message;
    ASSERT_FALSE(report->AnyFailed()) << report->ToText();
  }
  auto db = warehouse::Database::Open(":memory:");
  ASSERT_TRUE(db);
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn);
  auto entries = lake.lake().Entries("silver");
  ASSERT_TRUE(entries) << entries.error().message;
  std::set<std::string> tables;
  for (const auto& entry : *entries) {
    for (const auto& file : entry.files) {
      SCOPED_TRACE(file.key);
      tables.insert(file.table);
      ASSERT_EQ(file.schema.size(), 16u);
      const std::string url = lake.lake().storage().Url(file.key);
      // The file's own columns (the Hive partition column is a folder name).
      EXPECT_EQ(FingerprintOfFile(**conn, url,
                                  "SELECT name, duckdb_type FROM parquet_schema({}) "
                                  "WHERE duckdb_type IS NOT NULL"),
                file.schema);
      EXPECT_EQ(FingerprintOfFile(**conn, url,
                                  "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM "
                                  "read_parquet({}, hive_partitioning = false))"),
                file.schema);
    }
  }
  EXPECT_EQ(tables, (std::set<std::string>{"artists", "episodes", "page_views", "plays",
                                           "quarantine", "tracks", "users"}));
}

// A flush writes a file in every day its rows fall in. The days a flush has
// few rows of (late events) are held back and written with the batch's last
// flush: a batch leaves one file in each day it only touches.
TEST(IngestRealData, LateEventsOfABatchLandInOneFilePerDay) {
  TempDir dir;
  TestLake lake(dir / "lake");
  const fs::path logs = RealData() / "sparkify/log_data/2018/11";
  auto lines_of = [](const fs::path& file) {
    std::vector<std::string> lines;
    std::istringstream in(testing::ReadFile(file));
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) lines.push_back(line);
    }
    return lines;
  };
  // A day's events with six plays of each of three earlier days spread through it.
  std::vector<std::string> late;
  for (const char* day : {"2018-11-02", "2018-11-03", "2018-11-04"}) {
    int plays = 0;
    for (const auto& line : lines_of(logs / fmt::format("{}-events.json", day))) {
      if (line.find("\"NextSong\"") != std::string::npos && plays++ < 6) late.push_back(line);
    }
  }
  const auto day = lines_of(logs / "2018-11-30-events.json");
  std::string input;
  for (std::size_t i = 0; i < day.size(); ++i) {
    input += day[i] + '\n';
    if (i % 20 == 10 && !late.empty()) {
      input += late.back() + '\n';
      late.pop_back();
    }
  }
  ASSERT_TRUE(late.empty());
  const fs::path file = dir / "in" / "2018-11-30-events.json";
  WriteFile(file, input);
  IngestRequest request;
  request.processor.flush_rows = 100;  // several flushes, of regions of
  request.processor.region_bytes = 16 << 10;  // about 50 lines
  auto report = lake.Ingest({file.string()}, "", request);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_FALSE(report->AnyFailed()) << report->ToText();

  std::map<std::string, int> files_of_day;
  auto entries = lake.lake().Entries("silver");
  ASSERT_TRUE(entries) << entries.error().message;
  for (const auto& entry : *entries) {
    for (const auto& f : entry.files) {
      const auto at = f.key.find("event_date=");
      if (f.table == "plays" && at != std::string::npos) ++files_of_day[f.key.substr(at + 11, 10)];
    }
  }
  EXPECT_EQ(files_of_day["2018-11-02"], 1);
  EXPECT_EQ(files_of_day["2018-11-03"], 1);
  EXPECT_EQ(files_of_day["2018-11-04"], 1);
  EXPECT_GE(files_of_day["2018-11-30"], 3);  // the day's own rows, flush by flush
  // Every play in its day, counted from the input by DuckDB's own reader.
  const std::string per_day_in_silver =
      "SELECT string_agg(d || ':' || n, ' ' ORDER BY d) FROM (SELECT CAST(event_date AS VARCHAR) "
      "AS d, count(*) AS n FROM plays GROUP BY d)";
  const std::string per_day_in_input = fmt::format(
      "SELECT string_agg(d || ':' || n, ' ' ORDER BY d) FROM (SELECT CAST(CAST(make_timestamp(ts "
      "* 1000) AS DATE) AS VARCHAR) AS d, count(*) AS n FROM read_ndjson('{}', columns = {{ts: "
      "'BIGINT', page: 'VARCHAR'}}) WHERE page = 'NextSong' GROUP BY d)",
      file.string());
  EXPECT_EQ(lake.Scalar(per_day_in_silver), lake.Scalar(per_day_in_input));
  EXPECT_NE(lake.Scalar(per_day_in_silver).find("2018-11-03:6"), std::string::npos);
}

TEST(IngestRealData, SpotifyExportWithoutUserIsRefusedClearly) {
  TempDir dir;
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({(RealData() / "spotify_history" / "StreamingHistory3.json").string()});
  ASSERT_TRUE(report);
  ASSERT_EQ(report->files.size(), 1u);
  EXPECT_EQ(report->files[0].outcome, Outcome::kFailed);
  EXPECT_EQ(report->files[0].error_code, ErrorCode::kInvalidArgument);
  EXPECT_NE(report->files[0].error.find("--user"), std::string::npos);
  EXPECT_EQ(lake.ManifestCount(), 0);
}

}  // namespace
}  // namespace playlake::silver
