// Ingest end to end through the library API, on real and constructed data.
#include "silver/ingest.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include <fstream>
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
