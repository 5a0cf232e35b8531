#include "sources/format.h"

#include <gtest/gtest.h>

#include "sources/framing.h"

namespace playlake::sources {
namespace {

TEST(Format, DetectsByNameThenContent) {
  EXPECT_EQ(DetectFormat("tracks.jsonl", ""), Format::kPlaylakeCatalog);
  EXPECT_EQ(DetectFormat("StreamingHistory3.json", ""), Format::kSpotifyLegacy);
  EXPECT_EQ(DetectFormat("Streaming_History_Audio_2023.json", ""), Format::kSpotifyHistory);
  EXPECT_EQ(DetectFormat("endsong_0.json", ""), Format::kSpotifyHistory);
  EXPECT_EQ(DetectFormat("x.json", "{\"event_id\":\"e1\",\"ts\":1}\n"), Format::kPlaylake);
  EXPECT_EQ(DetectFormat("x.json", "{\"artist\":null,\"page\":\"Home\",\"sessionId\":1}\n"),
            Format::kEventsim);
  EXPECT_EQ(DetectFormat("x.json", "{\n  \"num_songs\": 1,\n  \"artist_id\": \"A\",\n  \"song_id\": \"S\""),
            Format::kMsdSong);
  EXPECT_EQ(DetectFormat("mine.json", "[ {\"endTime\" : \"2020-11-30 04:47\", \"msPlayed\" : 1}"),
            Format::kSpotifyLegacy);
  auto garbage = DetectFormat("blob.bin", std::string_view("\x00\x01\x02\xff", 4));
  ASSERT_FALSE(garbage);
  EXPECT_NE(garbage.error().message.find("--format"), std::string::npos);
}

TEST(Format, MostSampledLinesDecideNotTheFirst) {
  const std::string play =
      R"({"event_id":"e1","ts":"2026-11-01T18:23:45Z","user_id":"u1","track_id":"t1","ms_played":1})";
  const std::string no_id =
      R"({"ts":"2026-11-01T18:23:45Z","user_id":"u1","track_id":"t1","ms_played":1})";
  const std::string eventsim =
      R"({"artist":null,"auth":"Logged In","page":"Home","sessionId":38,"ts":1541105830796})";
  const std::string plays = play + "\n" + play + "\n";
  EXPECT_EQ(DetectFormat("x.jsonl", "garbage, not JSON\n" + plays), Format::kPlaylake);
  EXPECT_EQ(DetectFormat("x.jsonl", "{\"hello\":\"world\"}\n" + plays), Format::kPlaylake);
  EXPECT_EQ(DetectFormat("x.jsonl", no_id + "\n" + plays), Format::kPlaylake);
  EXPECT_EQ(DetectFormat("x.jsonl", "\xEF\xBB\xBF" + plays), Format::kPlaylake);
  // Most votes win; a tie goes to the format seen first.
  EXPECT_EQ(DetectFormat("x.jsonl", eventsim + "\n" + plays), Format::kPlaylake);
  EXPECT_EQ(DetectFormat("x.jsonl", eventsim + "\n" + play + "\n"), Format::kEventsim);
  // Only the first kSampleLines lines vote.
  std::string late;
  for (int i = 0; i < kSampleLines; ++i) late += "{\"hello\":1}\n";
  EXPECT_FALSE(DetectFormat("x.jsonl", late + plays));
  EXPECT_FALSE(DetectFormat("x.jsonl", "{\"hello\":\"world\"}\n{\"a\":1}\n"));
}

// The other files of a Spotify data export package are not listening.
TEST(Format, SpotifyExportFilesThatAreNotListeningAreSkippedWithTheReason) {
  for (const char* name :
       {"SearchQueries.json", "Userdata.json", "Playlist1.json", "Playlist12.json",
        "Inferences.json", "Wrapped2023.json", "YourLibrary.json", "Payments.json"}) {
    const std::string why = SpotifyExportSkipReason(name);
    EXPECT_NE(why.find("not listening: skipped"), std::string::npos) << name << ": " << why;
  }
  const std::string video = SpotifyExportSkipReason("StreamingHistory_video_0.json");
  EXPECT_NE(video.find("type 'video', which playlake does not read"), std::string::npos) << video;
  for (const char* name : {"StreamingHistory_music_0.json", "StreamingHistory_podcast_0.json",
                           "StreamingHistory_audiobook_1.json", "StreamingHistory3.json",
                           "Streaming_History_Audio_2023.json", "Streaming_History_Video_2023.json",
                           "endsong_0.json", "PlaylistOfMine.json", "plays.json"}) {
    EXPECT_EQ(SpotifyExportSkipReason(name), "") << name;
  }
}

TEST(Format, NamesRoundTrip) {
  for (auto f : {Format::kPlaylake, Format::kEventsim, Format::kMsdSong, Format::kSpotifyHistory,
                 Format::kSpotifyLegacy, Format::kCsv, Format::kPlaylakeCatalog}) {
    EXPECT_EQ(ParseFormat(FormatName(f)), f);
  }
  EXPECT_FALSE(ParseFormat("auto"));
}

TEST(Framing, ArrayElementsWithLinesAndTruncation) {
  const std::string text = "[\n  {\"a\": \"x]\\\"\"},\n  {\"b\": [1, 2]},\n  {\"c\": ";
  const FramedDocument doc = FrameJsonArray(text);
  ASSERT_EQ(doc.records.size(), 2u);
  EXPECT_EQ(text.substr(doc.records[0].begin, doc.records[0].end - doc.records[0].begin),
            "{\"a\": \"x]\\\"\"}");
  EXPECT_EQ(doc.records[1].line, 3);
  ASSERT_TRUE(doc.has_bad_tail);
  EXPECT_EQ(doc.bad_reason, "truncated_json");
  EXPECT_EQ(doc.bad_tail.line, 4);
}

TEST(Framing, EmptyArrayAndTrailingGarbage) {
  EXPECT_TRUE(FrameJsonArray(" [ ] ").records.empty());
  EXPECT_FALSE(FrameJsonArray(" [ ] ").has_bad_tail);
  const FramedDocument doc = FrameJsonArray("[{\"a\":1}] trailing");
  EXPECT_EQ(doc.records.size(), 1u);
  EXPECT_TRUE(doc.has_bad_tail);
  EXPECT_EQ(doc.bad_reason, "invalid_json");
}

TEST(Framing, PrettyPrintedValues) {
  const FramedDocument doc = FrameJsonValues("{\n \"a\": 1,\n \"b\": {\"c\": 2}\n}\n{\"d\":3}\n");
  ASSERT_EQ(doc.records.size(), 2u);
  EXPECT_EQ(doc.records[1].line, 5);
  EXPECT_FALSE(doc.has_bad_tail);
}

}  // namespace
}  // namespace playlake::sources
