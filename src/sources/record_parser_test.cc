// Cleaning rules, one test each, through the real record parser.
#include "sources/record_parser.h"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sources/text.h"
#include "sources/timestamp.h"

namespace playlake::sources {
namespace {

struct Parsed {
  // Rows refer to their context's strings (lineage): it lives as long as they do.
  std::unique_ptr<BatchContext> context;
  TableBatches out;
  std::optional<Rejection> rejection;
  std::optional<Error> error;
  std::unique_ptr<RecordParser> parser;  // kept for its drift()
};

const lake::Drift& RecordParserDriftOf(const Parsed& p) { return p.parser->drift(); }

Parsed ParseOne(Format format, std::string record, std::string user = "",
                std::string file_name = "f.json", std::string timezone = "") {
  Parsed p;
  p.context = std::make_unique<BatchContext>(BatchContext{
      format, "/in/" + file_name, file_name, "batch1", std::move(user), "", std::move(timezone)});
  p.parser = std::make_unique<RecordParser>(*p.context);
  RecordParser& parser = *p.parser;
  const std::size_t size = record.size();
  record.resize(size + kRecordPadding, ' ');
  auto r = parser.Parse(std::string_view(record.data(), size), record.size(), 7, p.out);
  if (!r) {
    p.error = r.error();
  } else {
    p.rejection = *r;
  }
  return p;
}

std::string Text(Parsed& p, Table t, int column) {
  const ColumnBatch& b = p.out[t];
  EXPECT_EQ(b.rows(), 1u);
  if (b.rows() == 0 || !b.IsValid(column, 0)) return "<null>";
  return std::string(b.Text(column, 0));
}

const char* kSparkifyPlay =
    R"({"artist":"Bj\u00c3\u0083\u00c2\u00b6rk","auth":"Logged In","firstName":"Kaylee","gender":"F",)"
    R"("itemInSession":1,"lastName":"Summers","length":246.30812,"level":"free",)"
    R"("location":"Phoenix-Mesa-Scottsdale, AZ","method":"PUT","page":"NextSong",)"
    R"("registration":1540344794796.0,"sessionId":139,"song":"  J\u00c3\u0083\u00c2\u00b3ga ",)"
    R"("status":200,"ts":1541106106796,)"
    R"("userAgent":"\"Mozilla\/5.0 (Windows NT 6.1; WOW64) AppleWebKit\/537.36\"","userId":"8"})";

TEST(RecordParser, EventsimPlayIsCleaned) {
  Parsed p = ParseOne(Format::kEventsim, kSparkifyPlay);
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  EXPECT_EQ(Text(p, Table::kPlays, kPlayArtistName), "Bj\xC3\xB6rk");        // UTF-8 repaired
  EXPECT_EQ(Text(p, Table::kPlays, kPlayTrackName), "J\xC3\xB3ga");           // and trimmed
  EXPECT_EQ(Text(p, Table::kPlays, kPlayUserAgent),
            "Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36");      // quotes stripped
  EXPECT_EQ(Text(p, Table::kPlays, kPlayDevice), "desktop");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayPlatform), "windows");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayCountry), "US");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayRegion), "AZ");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayTimezone), "America/Phoenix");
  EXPECT_EQ(Text(p, Table::kPlays, kPlaySessionId), "139");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayLevel), "free");
  const ColumnBatch& plays = p.out[Table::kPlays];
  EXPECT_EQ(plays.Int(kPlayEventTs, 0), 1541106106796000);
  EXPECT_EQ(plays.Int(kPlayDurationMs, 0), 246308);
  EXPECT_EQ(plays.Text(kPlayId, 0).size(), 32u);
  // The same record always gets the same id.
  Parsed again = ParseOne(Format::kEventsim, kSparkifyPlay);
  EXPECT_EQ(plays.Text(kPlayId, 0), again.out[Table::kPlays].Text(kPlayId, 0));
  EXPECT_EQ(Text(p, Table::kUsers, kUserId), "8");
  EXPECT_EQ(Text(p, Table::kUsers, kUserFirstName), "Kaylee");
  EXPECT_EQ(Text(p, Table::kUsers, kUserTimezone), "America/Phoenix");
  EXPECT_EQ(p.out[Table::kUsers].Int(kUserRegistrationTs, 0), 1540344794796000);
}

TEST(RecordParser, EventsimOtherPagesArePageViewsAndLoggedOutUsersAreNull) {
  Parsed p = ParseOne(Format::kEventsim,
                      R"({"artist":null,"auth":"Logged Out","firstName":null,"gender":null,)"
                      R"("itemInSession":0,"lastName":null,"length":null,"level":"paid",)"
                      R"("location":null,"method":"GET","page":"Home","registration":null,)"
                      R"("sessionId":12,"song":null,"status":200,"ts":1541106106796,)"
                      R"("userAgent":null,"userId":""})");
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  EXPECT_EQ(p.out[Table::kPlays].rows(), 0u);
  EXPECT_EQ(Text(p, Table::kPageViews, kPvPage), "Home");
  EXPECT_EQ(Text(p, Table::kPageViews, kPvUserId), "<null>");
  EXPECT_EQ(p.out[Table::kUsers].rows(), 0u);
}

TEST(RecordParser, EventsimPlayWithoutSongIsQuarantined) {
  Parsed p = ParseOne(Format::kEventsim,
                      R"({"page":"NextSong","sessionId":1,"itemInSession":1,"ts":1541106106796,)"
                      R"("userId":"3","artist":"A","length":100.0,"song":"   "})");
  ASSERT_TRUE(p.rejection);
  EXPECT_EQ(p.rejection->reason, reason::kMissingField);
  EXPECT_NE(p.rejection->detail.find("song"), std::string::npos);
}

TEST(RecordParser, PlaylakeEventWithSpotifyUriAndOffsetTime) {
  Parsed p = ParseOne(Format::kPlaylake,
                      R"({"event_id":"e1","ts":"2026-11-01T19:23:45.123+01:00","user_id":"u1",)"
                      R"("track_id":"spotify:track:6potEImiklXkwD9qFzpu15","ms_played":1000,)"
                      R"("country":"de","device":"Mobile","level":"Paid","shuffle":true,)"
                      R"("album_name":"","extra_unknown":{"x":[1,2]}})");
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  EXPECT_EQ(Text(p, Table::kPlays, kPlayTrackId), "6potEImiklXkwD9qFzpu15");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayCountry), "DE");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayDevice), "mobile");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayLevel), "paid");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayAlbumName), "<null>");  // empty → NULL
  EXPECT_EQ(p.out[Table::kPlays].Int(kPlayEventTs, 0), 1793557425123000);  // 18:23:45.123Z
  EXPECT_EQ(Text(p, Table::kPlays, kPlayId), "e1");
}

TEST(RecordParser, PlaylakeEpochMillis) {
  Parsed p = ParseOne(Format::kPlaylake,
                      R"({"event_id":"e1","ts":1541106106796,"user_id":"u","track_id":"t","ms_played":0})");
  ASSERT_FALSE(p.rejection);
  EXPECT_EQ(p.out[Table::kPlays].Int(kPlayEventTs, 0), 1541106106796000);
}

TEST(RecordParser, EpochMillisTooLargeForMicrosAreOutOfRangeNotWrapped) {
  // 18448444073709552 ms times 1000 wraps around to 1700000000000384 µs, a
  // time in 2023 that passed the range check (found by fuzz/record_parser).
  for (const std::string ts : {"18448444073709552", "-18448444073709552", "9223372036854775807"}) {
    Parsed p = ParseOne(Format::kPlaylake,
                        R"({"event_id":"e1","ts":)" + ts + R"(,"user_id":"u","track_id":"t","ms_played":0})");
    ASSERT_TRUE(p.rejection) << ts;
    EXPECT_EQ(p.rejection->reason, reason::kOutOfRange) << ts;
    std::string eventsim = kSparkifyPlay;
    eventsim.replace(eventsim.find("1541106106796"), 13, ts);
    Parsed e = ParseOne(Format::kEventsim, eventsim);
    ASSERT_TRUE(e.rejection) << ts;
    EXPECT_EQ(e.rejection->reason, reason::kOutOfRange) << ts;
  }
}

struct BadCase {
  const char* json;
  std::string_view reason;
  const char* mentions;
};

TEST(RecordParser, PlaylakeContractViolationsAreQuarantinedWithReasons) {
  const BadCase cases[] = {
      {R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t"})",
       reason::kMissingField, "ms_played"},
      {R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t","ms_played":"9"})",
       reason::kWrongType, "ms_played"},
      {R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t","ms_played":-1})",
       reason::kOutOfRange, "ms_played"},
      {R"({"event_id":"e1","ts":"yesterday","user_id":"u","track_id":"t","ms_played":1})",
       reason::kInvalidTimestamp, "ts"},
      {R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t","ms_played":1,"device":"fridge"})",
       reason::kInvalidValue, "device"},
      {R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t","ms_played":1,"country":"Germany"})",
       reason::kInvalidValue, "country"},
      {R"({"event_id":"","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t","ms_played":1})",
       reason::kMissingField, "event_id"},
      {R"({"event_id":"e1","ts":5,"user_id":"u","track_id":"t","ms_played":1})", reason::kOutOfRange,
       "ts"},
      {R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t","ms_played":1,"skipped":"yes"})",
       reason::kWrongType, "skipped"},
      {R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u","track_id":"t","ms_pl)",
       reason::kInvalidJson, "JSON"},
      {R"(["event_id"])", reason::kNotAnObject, "object"},
      {"{\"event_id\":\"e\xff\"}", reason::kInvalidUtf8, "UTF-8"},
      {R"({"event_id":"e1"} {"x":1})", reason::kInvalidJson, "after"},
  };
  for (const BadCase& c : cases) {
    Parsed p = ParseOne(Format::kPlaylake, c.json);
    ASSERT_TRUE(p.rejection) << c.json;
    EXPECT_EQ(p.rejection->reason, c.reason) << c.json << " → " << p.rejection->detail;
    EXPECT_NE(p.rejection->detail.find(c.mentions), std::string::npos) << p.rejection->detail;
    EXPECT_EQ(p.out[Table::kPlays].rows(), 0u);
  }
}

TEST(RecordParser, DetailsThatQuoteCutTextStayValidUtf8) {
  // The detail quotes the first 64 bytes of `ts`: the cut falls inside "é".
  const std::string ts = std::string(63, 'x') + "\xC3\xA9";
  Parsed p = ParseOne(Format::kPlaylake, R"({"event_id":"e1","ts":")" + ts +
                                             R"(","user_id":"u","track_id":"t","ms_played":1})");
  ASSERT_TRUE(p.rejection);
  EXPECT_EQ(p.rejection->reason, reason::kInvalidTimestamp);
  EXPECT_TRUE(IsValidUtf8(p.rejection->detail)) << p.rejection->detail;
  EXPECT_NE(p.rejection->detail.find(std::string(63, 'x') + "\xEF\xBF\xBD'"), std::string::npos);
}

const char* kSpotifyRow =
    R"j({"ts":"2023-02-25T11:20:37Z","platform":"Android OS 11 API 30 (samsung, SM-G991B)",)j"
    R"("ms_played":61839,"conn_country":"IN","ip_addr":"REDACTED",)"
    R"("master_metadata_track_name":"Forever","master_metadata_album_artist_name":"Labrinth",)"
    R"("master_metadata_album_album_name":"Euphoria","spotify_track_uri":"spotify:track:6potEImiklXkwD9qFzpu15",)"
    R"("episode_name":null,"episode_show_name":null,"spotify_episode_uri":null,)"
    R"("reason_start":"trackdone","reason_end":"endplay","shuffle":false,"skipped":true,)"
    R"("offline":false,"offline_timestamp":1677323975,"incognito_mode":false})";

TEST(RecordParser, SpotifyHistoryRowBecomesAPlayOfTheGivenUser) {
  Parsed p = ParseOne(Format::kSpotifyHistory, kSpotifyRow, "alice");
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  const ColumnBatch& b = p.out[Table::kPlays];
  EXPECT_EQ(Text(p, Table::kPlays, kPlayUserId), "alice");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayTrackId), "6potEImiklXkwD9qFzpu15");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayDevice), "mobile");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayPlatform), "android");
  EXPECT_EQ(b.Int(kPlayEndTs, 0), 1677324037 * kMicrosPerSecond);
  EXPECT_EQ(b.Int(kPlayEventTs, 0), 1677324037 * kMicrosPerSecond - 61839 * 1000);
  EXPECT_EQ(b.Int(kPlayOfflineTs, 0), 1677323975 * kMicrosPerSecond);
  EXPECT_EQ(b.Text(kPlayId, 0).size(), 32u);
  Parsed bob = ParseOne(Format::kSpotifyHistory, kSpotifyRow, "bob");
  EXPECT_NE(b.Text(kPlayId, 0), bob.out[Table::kPlays].Text(kPlayId, 0));
}

TEST(RecordParser, SpotifyHistoryWithoutUserIsAnErrorNotAQuarantine) {
  Parsed p = ParseOne(Format::kSpotifyHistory, kSpotifyRow, "");
  ASSERT_TRUE(p.error);
  EXPECT_EQ(p.error->code, ErrorCode::kInvalidArgument);
  EXPECT_NE(p.error->message.find("--user"), std::string::npos);
  std::string with_name = kSpotifyRow;
  with_name.insert(1, R"("username":"carol",)");
  Parsed named = ParseOne(Format::kSpotifyHistory, with_name, "");
  ASSERT_FALSE(named.error);
  EXPECT_EQ(Text(named, Table::kPlays, kPlayUserId), "carol");
}

TEST(RecordParser, SpotifyPodcastRowsAreEpisodes) {
  Parsed p = ParseOne(
      Format::kSpotifyHistory,
      R"({"ts":"2023-03-01T10:00:00Z","platform":"windows","ms_played":1000,"conn_country":"ZZ",)"
      R"("master_metadata_track_name":null,"spotify_track_uri":null,"episode_name":"Ep 1",)"
      R"("episode_show_name":"Show","spotify_episode_uri":"spotify:episode:3KUKIjACVZd7VvkjWcE4rL",)"
      R"("offline_timestamp":1577836800123})",
      "alice");
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  EXPECT_EQ(p.out[Table::kPlays].rows(), 0u);
  EXPECT_EQ(Text(p, Table::kEpisodes, kEpEpisodeId), "3KUKIjACVZd7VvkjWcE4rL");
  EXPECT_EQ(Text(p, Table::kEpisodes, kEpKind), "podcast");
  EXPECT_EQ(Text(p, Table::kEpisodes, kEpCountry), "<null>");  // ZZ is unknown
  EXPECT_EQ(Text(p, Table::kEpisodes, kEpDevice), "desktop");
  EXPECT_EQ(p.out[Table::kEpisodes].Int(kEpOfflineTs, 0), 1577836800123000);  // ms in old exports
}

TEST(RecordParser, SpotifyLegacyEndTimeIsUtcMinute) {
  Parsed p = ParseOne(Format::kSpotifyLegacy,
                      R"({"endTime" : "2020-11-30 04:47", "artistName" : "Van Halen",)"
                      R"( "trackName" : "Cabo Wabo", "msPlayed" : 8490})",
                      "alice");
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  EXPECT_EQ(p.out[Table::kPlays].Int(kPlayEndTs, 0), 1606711620 * kMicrosPerSecond);
  EXPECT_EQ(p.out[Table::kPlays].Int(kPlayEventTs, 0), 1606711620 * kMicrosPerSecond - 8490000);
  EXPECT_EQ(Text(p, Table::kPlays, kPlayTrackId), "<null>");
}

// Rows shaped like StreamingHistory_podcast_0.json and
// StreamingHistory_audiobook_0.json of 2023-2024 "Account data" exports.
TEST(RecordParser, SpotifyLegacyPodcastAndAudiobookRowsAreEpisodes) {
  Parsed podcast = ParseOne(Format::kSpotifyLegacy,
                            R"({"endTime" : "2024-01-07 21:14", "podcastName" : "The Daily",)"
                            R"( "episodeName" : "The Year in Music", "msPlayed" : 1523000})",
                            "alice", "StreamingHistory_podcast_0.json");
  ASSERT_FALSE(podcast.rejection) << podcast.rejection->detail;
  EXPECT_EQ(podcast.out[Table::kPlays].rows(), 0u);
  EXPECT_EQ(Text(podcast, Table::kEpisodes, kEpKind), "podcast");
  EXPECT_EQ(Text(podcast, Table::kEpisodes, kEpShowName), "The Daily");
  EXPECT_EQ(Text(podcast, Table::kEpisodes, kEpEpisodeName), "The Year in Music");
  EXPECT_EQ(podcast.out[Table::kEpisodes].Int(kEpMsPlayed, 0), 1523000);
  EXPECT_EQ(podcast.out[Table::kEpisodes].Int(kEpEndTs, 0), 1704662040 * kMicrosPerSecond);

  Parsed book =
      ParseOne(Format::kSpotifyLegacy,
               R"({"endTime":"2024-02-11 08:03","audiobookName":"Dune",)"
               R"("chapterName":"Chapter 3","authorName":"Frank Herbert","msPlayed":600000})",
               "alice", "StreamingHistory_audiobook_0.json");
  ASSERT_FALSE(book.rejection) << book.rejection->detail;
  EXPECT_EQ(Text(book, Table::kEpisodes, kEpKind), "audiobook");
  EXPECT_EQ(Text(book, Table::kEpisodes, kEpAudiobookTitle), "Dune");
  EXPECT_EQ(Text(book, Table::kEpisodes, kEpChapterTitle), "Chapter 3");
  EXPECT_TRUE(book.out[Table::kEpisodes].rows() == 1 && book.out[Table::kPlays].rows() == 0);
}

TEST(RecordParser, SpotifyLegacyRowWithoutContentSaysSo) {
  Parsed p =
      ParseOne(Format::kSpotifyLegacy, R"({"endTime":"2024-02-11 08:03","msPlayed":1})", "alice");
  ASSERT_TRUE(p.rejection);
  EXPECT_EQ(p.rejection->reason, reason::kNoContent);
}

// Export times are UTC; the zone of the connection country gives local time.
TEST(RecordParser, SpotifyPlaysGetTheZoneOfTheirCountry) {
  Parsed india = ParseOne(Format::kSpotifyHistory, kSpotifyRow, "alice");
  EXPECT_EQ(Text(india, Table::kPlays, kPlayTimezone), "Asia/Kolkata");
  EXPECT_TRUE(india.context && RecordParserDriftOf(india).approximate_zones.empty());

  std::string us = kSpotifyRow;
  us.replace(us.find(R"("IN")"), 4, R"("US")");
  Parsed american = ParseOne(Format::kSpotifyHistory, us, "alice");
  EXPECT_EQ(Text(american, Table::kPlays, kPlayTimezone), "America/New_York");
  const auto& zones = RecordParserDriftOf(american).approximate_zones;
  ASSERT_EQ(zones.count("US"), 1u);
  EXPECT_EQ(zones.at("US").examples, std::vector<std::string>{"America/New_York"});
}

TEST(RecordParser, SpotifyPlaysTakeTheZoneSetOnTheSource) {
  Parsed p = ParseOne(Format::kSpotifyHistory, kSpotifyRow, "alice", "f.json", "Europe/Berlin");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayTimezone), "Europe/Berlin");
  Parsed legacy = ParseOne(Format::kSpotifyLegacy,
                           R"({"endTime":"2020-11-30 04:47","artistName":"Van Halen",)"
                           R"("trackName":"Cabo Wabo","msPlayed":8490})",
                           "alice", "f.json", "America/Denver");
  EXPECT_EQ(Text(legacy, Table::kPlays, kPlayTimezone), "America/Denver");
}

TEST(RecordParser, SpotifyDriftIsCountedWithExamples) {
  std::string row = kSpotifyRow;
  row.replace(row.find("Android OS 11"), 40, "HoloLens 2 (build 22621)");
  row.replace(row.find(R"("trackdone")"), 11, R"("teleported")");
  row.insert(1, R"("video_id":"v123","ip_addr_decrypted":"203.0.113.9",)");
  Parsed p = ParseOne(Format::kSpotifyHistory, row, "alice");
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  // The unknown platform keeps its text; there is no device.
  EXPECT_EQ(Text(p, Table::kPlays, kPlayPlatform), "HoloLens 2 (build 22621)");
  EXPECT_EQ(Text(p, Table::kPlays, kPlayDevice), "<null>");
  const lake::Drift& drift = RecordParserDriftOf(p);
  ASSERT_EQ(drift.unknown_values.count("platform"), 1u);
  EXPECT_EQ(drift.unknown_values.at("platform").examples,
            std::vector<std::string>{"HoloLens 2 (build 22621)"});
  ASSERT_EQ(drift.unknown_values.count("reason_start"), 1u);
  EXPECT_EQ(drift.unknown_values.at("reason_start").examples,
            std::vector<std::string>{"teleported"});
  ASSERT_EQ(drift.unknown_fields.count("video_id"), 1u);
  EXPECT_EQ(drift.unknown_fields.at("video_id").examples, std::vector<std::string>{"\"v123\""});
  // IP fields are known (and never stored): not drift.
  EXPECT_EQ(drift.unknown_fields.count("ip_addr_decrypted"), 0u);
  EXPECT_EQ(drift.unknown_fields.count("ip_addr"), 0u);
}

TEST(RecordParser, MsdSongYearZeroIsUnknown) {
  Parsed p = ParseOne(Format::kMsdSong,
                      "{\n  \"num_songs\": 1,\n  \"artist_id\": \"ARD7TVE1187B99BFB1\",\n"
                      "  \"artist_latitude\": null,\n  \"artist_longitude\": null,\n"
                      "  \"artist_location\": \"California - LA\",\n  \"artist_name\": \"Casual\",\n"
                      "  \"song_id\": \"SOMZWCG12A8C13C480\",\n  \"title\": \"I Didn't Mean To\",\n"
                      "  \"duration\": 218.93179,\n  \"year\": 0\n}");
  ASSERT_FALSE(p.rejection) << p.rejection->detail;
  const ColumnBatch& t = p.out[Table::kTracks];
  EXPECT_FALSE(t.IsValid(kTrackYear, 0));
  EXPECT_EQ(t.Int(kTrackDurationMs, 0), 218932);
  EXPECT_EQ(Text(p, Table::kArtists, kArtistLocation), "California - LA");
  EXPECT_FALSE(p.out[Table::kArtists].IsValid(kArtistLatitude, 0));
}

TEST(RecordParser, CatalogFilesByName) {
  Parsed t = ParseOne(Format::kPlaylakeCatalog,
                      R"({"track_id":"t1","name":"Song","artist_id":"a1","album_id":"b1","genre":"pop",)"
                      R"("duration_ms":200000,"release_date":"2021-05-07","explicit":false,)"
                      R"("danceability":0.5,"energy":0.7,"valence":0.1,"acousticness":0.2,)"
                      R"("instrumentalness":0,"speechiness":0.05,"liveness":0.1,"tempo":120.5,"loudness":-6.5})",
                      "", "tracks.jsonl");
  ASSERT_FALSE(t.rejection) << t.rejection->detail;
  EXPECT_EQ(t.out[Table::kTracks].Int(kTrackYear, 0), 2021);
  EXPECT_DOUBLE_EQ(t.out[Table::kTracks].Double(kTrackTempo, 0), 120.5);
  Parsed u = ParseOne(Format::kPlaylakeCatalog,
                      R"({"user_id":"u1","country":"SE","registration_ts":"2025-01-01T00:00:00Z",)"
                      R"("level":"free","device":"mobile","platform":"ios"})",
                      "", "users.jsonl");
  ASSERT_FALSE(u.rejection) << u.rejection->detail;
  EXPECT_EQ(Text(u, Table::kUsers, kUserCountry), "SE");
  Parsed bad = ParseOne(Format::kPlaylakeCatalog, R"({"artist_id":"a"})", "", "artists.jsonl");
  ASSERT_TRUE(bad.rejection);
  EXPECT_EQ(bad.rejection->target, Table::kArtists);
}

}  // namespace
}  // namespace playlake::sources
