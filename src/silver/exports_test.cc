// Spotify data exports end to end: every file of an export package, what is
// kept of IP addresses, local time, and drift. Rows are shaped like those of
// real exports (../shared/realdata/spotify_history and the shapes of other
// years: endsong_*.json with username and ip_addr_decrypted, legacy podcast
// and audiobook files).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "lake/zstd_stream.h"
#include "silver/drift_report.h"
#include "silver/ingest.h"
#include "silver/test_util.h"
#include "sources/country_zones.h"
#include "testing/testing.h"

namespace playlake::silver {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// One extended-history row; `extra` goes before "ts" (new fields, IPs).
std::string HistoryRow(const std::string& ts, const std::string& platform,
                       const std::string& country, const std::string& track_uri,
                       const std::string& extra = "") {
  return "  {\n    " + extra + "\"ts\": \"" + ts + "\",\n    \"platform\": \"" + platform +
         "\",\n    \"ms_played\": 200000,\n    \"conn_country\": \"" + country +
         "\",\n    \"master_metadata_track_name\": \"Forever\",\n"
         "    \"master_metadata_album_artist_name\": \"Labrinth\",\n"
         "    \"master_metadata_album_album_name\": \"Euphoria\",\n"
         "    \"spotify_track_uri\": \"spotify:track:" +
         track_uri +
         "\",\n"
         "    \"episode_name\": null,\n    \"episode_show_name\": null,\n"
         "    \"spotify_episode_uri\": null,\n    \"reason_start\": \"clickrow\",\n"
         "    \"reason_end\": \"trackdone\",\n    \"shuffle\": false,\n    \"skipped\": false,\n"
         "    \"offline\": false,\n    \"offline_timestamp\": 1709404000,\n"
         "    \"incognito_mode\": false\n  }";
}

// 2024+ export: ip_addr; an older endsong file: username, ip_addr_decrypted, user agent.
const std::string kAudio2024 =
    "[\n" +
    HistoryRow("2024-03-02T18:30:00Z", "cast", "US", "6potEImiklXkwD9qFzpu15",
               "\"ip_addr\": \"203.0.113.77\",\n    ") +
    ",\n" +
    HistoryRow("2024-03-02T18:40:00Z", "Android OS 9 API 28 (samsung, SM-G960F)", "DE",
               "4uUG5RXrOk84mYEfFvj3cK", "\"ip_addr\": \"198.51.100.4\",\n    ") +
    "\n]\n";
const std::string kEndsong2021 =
    "[" +
    HistoryRow("2021-12-01T07:05:00Z", "web_player windows 10;chrome 96", "SE",
               "28VbwtsYnj85UEODGpQRem",
               "\"username\": \"lisa\", \"ip_addr_decrypted\": \"192.0.2.200\", "
               "\"user_agent_decrypted\": \"unknown\", ") +
    "]";

std::string OutcomeOf(const IngestReport& report, const std::string& name) {
  for (const auto& f : report.files) {
    if (fs::path(f.path).filename() == name) return OutcomeName(f.outcome);
  }
  return "<not reported>";
}

std::string BronzeText(TestLake& lake) {
  std::string all;
  auto entries = lake.lake().Entries("bronze");
  EXPECT_TRUE(entries);
  for (const auto& e : *entries) {
    auto raw = lake.lake().storage().Open(e.files.front().key);
    EXPECT_TRUE(raw);
    lake::ZstdReader reader(std::move(*raw));
    char buffer[4096];
    while (true) {
      auto n = reader.Read(buffer, sizeof buffer);
      EXPECT_TRUE(n);
      if (!n || *n == 0) break;
      all.append(buffer, *n);
    }
  }
  return all;
}

TEST(SpotifyExport, EveryFileOfAnExportPackageIsReadOrSkippedWithItsReason) {
  TempDir dir;
  const fs::path in = dir / "my_spotify_data";
  WriteFile(in / "Streaming_History_Audio_2024.json", kAudio2024);
  WriteFile(
      in / "StreamingHistory_music_0.json",
      R"([{"endTime" : "2024-01-07 21:14", "artistName" : "Labrinth", "trackName" : "Forever", "msPlayed" : 61839}])");
  WriteFile(
      in / "StreamingHistory_podcast_0.json",
      "[\n  {\n    \"endTime\" : \"2024-01-07 22:01\",\n    \"podcastName\" : \"The Daily\",\n"
      "    \"episodeName\" : \"The Year in Music\",\n    \"msPlayed\" : 1523000\n  }\n]\n");
  WriteFile(
      in / "StreamingHistory_audiobook_0.json",
      R"([{"endTime":"2024-02-11 08:03","audiobookName":"Dune","chapterName":"Chapter 3","authorName":"Frank Herbert","msPlayed":600000}])");
  WriteFile(in / "StreamingHistory_video_0.json",
            R"([{"endTime":"2024-02-11 08:03","msPlayed":1}])");
  WriteFile(
      in / "SearchQueries.json",
      R"([{"platform":"ANDROID","searchTime":"2024-01-01T10:00:00.000Z","searchQuery":"dune"}])");
  WriteFile(in / "Userdata.json",
            R"({"username":"lisa","email":"lisa@example.org","country":"SE"})");
  WriteFile(in / "Playlist1.json", R"({"playlists":[{"name":"Mix","items":[]}]})");
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({in.string()}, "lisa");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_FALSE(report->AnyFailed()) << report->ToText();
  for (const char* read :
       {"Streaming_History_Audio_2024.json", "StreamingHistory_music_0.json",
        "StreamingHistory_podcast_0.json", "StreamingHistory_audiobook_0.json"}) {
    EXPECT_EQ(OutcomeOf(*report, read), "committed") << read;
  }
  for (const char* skipped :
       {"StreamingHistory_video_0.json", "SearchQueries.json", "Userdata.json", "Playlist1.json"}) {
    EXPECT_EQ(OutcomeOf(*report, skipped), "skipped") << skipped;
  }
  const std::string text = report->ToText();
  EXPECT_NE(
      text.find(
          "SearchQueries.json: a Spotify export file of search queries, not listening: skipped"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("type 'video', which playlake does not read"), std::string::npos) << text;
  EXPECT_EQ(lake.Count("plays"), 3);
  EXPECT_EQ(
      lake.Scalar("SELECT string_agg(kind || ':' || coalesce(show_name, audiobook_title), ',' "
                  "ORDER BY kind) FROM episodes"),
      "audiobook:Dune,podcast:The Daily");
  EXPECT_EQ(lake.Count("quarantine"), 0);
  // Skipped files are not in the lake at all (Userdata.json holds an e-mail address).
  EXPECT_EQ(BronzeText(lake).find("lisa@example.org"), std::string::npos);
}

TEST(SpotifyExport, PlatformsOfRecentExportsBecomeDevices) {
  TempDir dir;
  WriteFile(dir / "in" / "Streaming_History_Audio_2024.json", kAudio2024);
  WriteFile(dir / "in" / "endsong_0.json", kEndsong2021);
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({(dir / "in").string()}, "lisa");
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(
      lake.Scalar("SELECT string_agg(device || '/' || platform, ',' ORDER BY event_ts) FROM plays"),
      "web/windows,speaker/cast,mobile/android");
}

TEST(SpotifyExport, IpAddressesNeverReachSilverAndBronzeKeepsThemOnlyWhenAsked) {
  TempDir dir;
  WriteFile(dir / "in" / "Streaming_History_Audio_2024.json", kAudio2024);
  WriteFile(dir / "in" / "endsong_0.json", kEndsong2021);
  const std::vector<std::string> ips = {"203.0.113.77", "198.51.100.4", "192.0.2.200"};
  {
    TestLake lake(dir / "redacted");
    auto report = lake.Ingest({(dir / "in").string()}, "lisa");
    ASSERT_TRUE(report) << report.error().message;
    ASSERT_EQ(lake.Count("plays"), 3);
    const std::string silver = lake.Dump(), bronze = BronzeText(lake);
    for (const auto& ip : ips) {
      EXPECT_EQ(silver.find(ip), std::string::npos) << ip;
      EXPECT_EQ(bronze.find(ip), std::string::npos) << ip;
    }
    // The rest of the file is there, byte for byte where it was.
    EXPECT_NE(bronze.find("\"ip_addr\": \"************\""), std::string::npos);
    EXPECT_EQ(bronze.size(), kAudio2024.size() + kEndsong2021.size());
  }
  {
    TestLake lake(dir / "kept");
    IngestRequest keep;
    keep.keep_ip_addresses = true;
    auto report = lake.Ingest({(dir / "in").string()}, "lisa", keep);
    ASSERT_TRUE(report) << report.error().message;
    const std::string silver = lake.Dump(), bronze = BronzeText(lake);
    for (const auto& ip : ips) {
      EXPECT_EQ(silver.find(ip), std::string::npos) << ip;
      EXPECT_NE(bronze.find(ip), std::string::npos) << ip;
    }
  }
}

// Export times are UTC: the local hour comes from the country's zone, or
// from the zone set on the source.
TEST(SpotifyExport, LocalHourComesFromTheConnectionCountry) {
  TempDir dir;
  WriteFile(dir / "in" / "Streaming_History_Audio_2024.json", kAudio2024);
  TestLake lake(dir / "lake");
  ASSERT_TRUE(lake.Ingest({(dir / "in").string()}, "lisa"));
  // 18:26:40 UTC in New York (UTC-5 in March) and 18:36:40 in Berlin (UTC+1).
  EXPECT_EQ(lake.Scalar("SELECT string_agg(country || ' ' || timezone || ' ' || "
                        "hour(timezone(timezone, event_ts)), ', ' ORDER BY event_ts) FROM plays"),
            "US America/New_York 13, DE Europe/Berlin 19");

  TestLake zoned(dir / "zoned");
  IngestRequest request;
  request.timezone = "America/Los_Angeles";
  auto set = zoned.Ingest({(dir / "in").string()}, "lisa", request);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(zoned.Scalar("SELECT string_agg(DISTINCT timezone, ',') FROM plays"),
            "America/Los_Angeles");
  EXPECT_EQ(zoned.Scalar("SELECT min(hour(timezone(timezone, event_ts))) FROM plays"), "10");
}

TEST(SpotifyExport, ApproximateZonesAreReported) {
  TempDir dir;
  WriteFile(dir / "in" / "Streaming_History_Audio_2024.json", kAudio2024);
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({(dir / "in").string()}, "lisa");
  ASSERT_TRUE(report);
  const auto& zones = report->files.at(0).stats.drift.approximate_zones;
  ASSERT_EQ(zones.count("US"), 1u);
  EXPECT_EQ(zones.at("US").count, 1);
  EXPECT_EQ(zones.count("DE"), 0u);  // one zone: exact
  EXPECT_NE(report->ToText().find("time zone approximated"), std::string::npos);
}

// DuckDB's ICU converts with these names: each must be one it knows.
TEST(CountryZones, EveryZoneIsKnownToDuckDb) {
  auto db = warehouse::Database::Open(":memory:", warehouse::DatabaseOptions{1, ""});
  ASSERT_TRUE(db);
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn);
  auto names = (*conn)->Query("SELECT name FROM pg_timezone_names()");
  ASSERT_TRUE(names) << names.error().message;
  std::set<std::string> known;
  for (const auto& row : names->rows) known.insert(row[0].value_or(""));
  ASSERT_GT(known.size(), 400u);
  for (const auto& z : sources::AllCountryZones()) {
    EXPECT_TRUE(known.contains(std::string(z.zone))) << z.country << " " << z.zone;
  }
}

TEST(SpotifyExport, DriftIsRecordedReportedAndANewFieldWarnsOnce) {
  TempDir dir;
  // A field no export had before, and a platform the mapping does not know.
  const std::string with_new_field =
      "[\n" +
      HistoryRow("2025-01-02T10:00:00Z", "HoloLens 2 (build 22621)", "IN", "6potEImiklXkwD9qFzpu15",
                 "\"video_id\": \"v123\",\n    \"ip_addr\": \"203.0.113.77\",\n    ") +
      "\n]\n";
  WriteFile(dir / "a" / "Streaming_History_Audio_2025.json", with_new_field);
  WriteFile(dir / "b" / "Streaming_History_Audio_2025_1.json",
            "[" +
                HistoryRow("2025-02-02T10:00:00Z", "android", "IN", "4uUG5RXrOk84mYEfFvj3cK",
                           "\"video_id\": \"v9\", ") +
                "]");
  TestLake lake(dir / "lake");
  IngestRequest request;
  request.source = "my_export";
  auto first = lake.Ingest({(dir / "a").string()}, "lisa", request);
  ASSERT_TRUE(first) << first.error().message;
  const FileReport& file = first->files.at(0);
  EXPECT_EQ(file.new_fields, std::vector<std::string>{"video_id"});
  EXPECT_EQ(file.stats.drift.unknown_fields.at("video_id").count, 1);
  EXPECT_EQ(file.stats.drift.unknown_values.at("platform").examples,
            std::vector<std::string>{"HoloLens 2 (build 22621)"});
  const std::string text = first->ToText();
  EXPECT_NE(text.find("WARNING"), std::string::npos) << text;
  EXPECT_NE(text.find("never seen before in source 'my_export': video_id"), std::string::npos)
      << text;
  EXPECT_NE(text.find("unknown values platform=1 (e.g. \"HoloLens 2 (build 22621)\")"),
            std::string::npos)
      << text;
  const auto json = nlohmann::json::parse(first->ToJson());
  EXPECT_EQ(json["drift"]["my_export"]["unknown_fields"]["video_id"], 1);
  EXPECT_EQ(json["drift"]["my_export"]["new_fields"], nlohmann::json::array({"video_id"}));
  EXPECT_EQ(json["details"][0]["drift"]["unknown_values"]["platform"]["count"], 1);
  // The unknown platform keeps its text in silver.
  EXPECT_EQ(lake.Scalar("SELECT platform FROM plays"), "HoloLens 2 (build 22621)");

  // The manifest records the contract version and the drift with the batch.
  auto entries = lake.lake().Entries("silver");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ(entries->at(0).contract_version, 2);
  EXPECT_EQ(entries->at(0).drift.unknown_fields.at("video_id").examples,
            std::vector<std::string>{"\"v123\""});
  auto bronze = lake.lake().Entries("bronze");
  ASSERT_TRUE(bronze);
  EXPECT_EQ(bronze->at(0).contract_version, 2);

  // The same field in a later batch of the source is counted, not new.
  auto second = lake.Ingest({(dir / "b").string()}, "lisa", request);
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_TRUE(second->files.at(0).new_fields.empty());
  EXPECT_EQ(second->files.at(0).stats.drift.unknown_fields.at("video_id").count, 1);
  EXPECT_EQ(second->ToText().find("WARNING"), std::string::npos);

  // The Pipeline page's rows: newest batch first, the field new only in the first.
  auto all = lake.lake().Entries("silver");
  ASSERT_TRUE(all);
  const nlohmann::json rows = DriftRows(*all);
  std::vector<std::string> fields;
  for (const auto& row : rows) {
    if (row["kind"] == "unknown field") {
      fields.push_back(fs::path(row["file"].get<std::string>()).filename().string() + " " +
                       (row["first_seen"].get<bool>() ? "new" : "seen"));
    }
  }
  EXPECT_EQ(fields, (std::vector<std::string>{"Streaming_History_Audio_2025_1.json seen",
                                              "Streaming_History_Audio_2025.json new"}));
}

}  // namespace
}  // namespace playlake::silver
