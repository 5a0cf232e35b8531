// CSV input: the splitter, the header, and CSV rows against the NDJSON rules.
#include "sources/csv.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sources/record_parser.h"

namespace playlake::sources {
namespace {

std::vector<std::string> Split(CsvSplitter& splitter, std::string_view line) {
  auto broken = splitter.Split(line);
  EXPECT_FALSE(broken) << line << " → " << broken->detail;
  return {splitter.fields().begin(), splitter.fields().end()};
}

using Fields = std::vector<std::string>;

TEST(CsvSplitter, PlainAndEmptyFields) {
  CsvSplitter s;
  EXPECT_EQ(Split(s, "a,b,c"), (Fields{"a", "b", "c"}));
  EXPECT_EQ(Split(s, ",,"), (Fields{"", "", ""}));
  EXPECT_EQ(Split(s, ""), (Fields{""}));
  EXPECT_EQ(Split(s, "a,"), (Fields{"a", ""}));
  EXPECT_EQ(Split(s, " a , b "), (Fields{" a ", " b "}));  // spaces are data; silver trims text
}

TEST(CsvSplitter, QuotedFieldsKeepCommasQuotesAndCarriageReturns) {
  CsvSplitter s;
  EXPECT_EQ(Split(s, R"("a,b","say ""hi""","","""")"), (Fields{"a,b", "say \"hi\"", "", "\""}));
  // Several escaped fields in one line: each view stays valid.
  EXPECT_EQ(Split(s, R"("x""1",plain,"y""2""","z")"), (Fields{"x\"1", "plain", "y\"2\"", "z"}));
  EXPECT_EQ(Split(s, "\"cr\rinside\",b"), (Fields{"cr\rinside", "b"}));
  EXPECT_EQ(Split(s, "\"Bj\xC3\xB6rk, Sigur R\xC3\xB3s\""),
            (Fields{"Bj\xC3\xB6rk, Sigur R\xC3\xB3s"}));
}

TEST(CsvSplitter, CrLfAndLfLineEndsAreNotData) {
  CsvSplitter s;
  EXPECT_EQ(Split(s, "a,b\r\n"), (Fields{"a", "b"}));
  EXPECT_EQ(Split(s, "a,b\n"), (Fields{"a", "b"}));
  EXPECT_EQ(Split(s, "a,\"b\"\r\n"), (Fields{"a", "b"}));
  EXPECT_EQ(Split(s, "a,\r\n"), (Fields{"a", ""}));
}

TEST(CsvSplitter, ReusedForALongThenAShortLine) {
  CsvSplitter s;
  const std::string long_field(100'000, 'x');
  EXPECT_EQ(Split(s, "\"" + long_field + "\"\"\",b"), (Fields{long_field + "\"", "b"}));
  EXPECT_EQ(Split(s, "\"q\"\"\",c"), (Fields{"q\"", "c"}));
}

TEST(CsvSplitter, BrokenQuotingIsRejectedWithTheColumn) {
  struct Case {
    std::string line;
    std::string_view reason;
    std::string mentions;
  };
  const Case cases[] = {
      {R"(a,"bc)", reason::kUnterminatedQuote, "column 2"},
      {R"(a,"b""c)", reason::kUnterminatedQuote, "column 2"},
      {R"("line break starts here)", reason::kUnterminatedQuote, "line break inside quotes"},
      {R"(a,b"c)", reason::kInvalidCsv, "column 2: a double quote inside an unquoted field"},
      {R"("a"b,c)", reason::kInvalidCsv, "column 1: text after the closing quote"},
      {R"(a, "b")", reason::kInvalidCsv, "column 2"},
  };
  CsvSplitter s;
  for (const Case& c : cases) {
    auto broken = s.Split(c.line);
    ASSERT_TRUE(broken) << c.line;
    EXPECT_EQ(broken->reason, c.reason) << c.line;
    EXPECT_NE(broken->detail.find(c.mentions), std::string::npos) << broken->detail;
  }
}

TEST(CsvHeader, ColumnsInAnyOrderUnknownOnesIgnoredBomSkipped) {
  auto h =
      CsvHeader::Parse("\xEF\xBB\xBFms_played, note ,track_id,\"user_id\",ts,event_id,skipped\r\n");
  ASSERT_TRUE(h) << h.error().message;
  ASSERT_EQ(h->columns(), 7u);
  EXPECT_EQ(h->type(0), CsvType::kInteger);
  EXPECT_EQ(h->key(1), -1);
  EXPECT_EQ(h->type(1), CsvType::kIgnored);
  EXPECT_EQ(h->type(2), CsvType::kText);
  EXPECT_EQ(h->type(4), CsvType::kTime);
  EXPECT_EQ(h->type(6), CsvType::kBool);
  EXPECT_NE(h->key(0), h->key(2));
}

TEST(CsvHeader, ProblemsAreNamed) {
  const std::pair<std::string, std::string> cases[] = {
      {"event_id,ts,user_id,track_id", "no column 'ms_played'"},
      {"event_id,user_id,ms_played,other", "no column 'ts', 'track_id'"},
      {"Event_ID,ts,user_id,track_id,ms_played", "no column 'event_id'"},  // names are exact
      {"event_id,ts,user_id,track_id,ms_played,ts", "names 'ts' twice (columns 2 and 6)"},
      {"event_id,\"ts,user_id,track_id,ms_played", "does not end on this line"},
      {"event_id,t\xff,user_id,track_id,ms_played", "not valid UTF-8"},
      {"{\"event_id\":\"e1\"}", "a double quote inside an unquoted field"},  // JSON
      {"", "its columns: ''"},
  };
  for (const auto& [line, mentions] : cases) {
    auto h = CsvHeader::Parse(line);
    ASSERT_FALSE(h) << line;
    EXPECT_EQ(h.error().code, ErrorCode::kData);
    EXPECT_NE(h.error().message.find(mentions), std::string::npos) << h.error().message;
  }
}

// --- CSV rows through the real RecordParser, judged against the NDJSON path.

struct Parsed {
  TableBatches out;
  std::optional<Rejection> rejection;
};

const BatchContext kJsonContext{Format::kPlaylake, "/in/p.jsonl", "p.jsonl", "b1", "", ""};
const BatchContext kCsvContext{Format::kCsv, "/in/p.jsonl", "p.jsonl", "b1", "", ""};

Parsed ParseJson(std::string record) {
  RecordParser parser(kJsonContext);
  Parsed p;
  const std::size_t size = record.size();
  record.resize(size + kRecordPadding, ' ');
  auto r = parser.Parse(std::string_view(record.data(), size), record.size(), 3, p.out);
  EXPECT_TRUE(r) << r.error().message;
  if (r) p.rejection = *r;
  return p;
}

Parsed ParseCsv(const CsvHeader& header, const std::string& line) {
  RecordParser parser(kCsvContext);
  parser.SetCsvHeader(&header);
  Parsed p;
  auto r = parser.Parse(line, line.size(), 3, p.out);
  EXPECT_TRUE(r) << r.error().message;
  if (r) p.rejection = *r;
  return p;
}

// Every column of the one play row except source_format ("csv" vs "playlake").
std::string Row(const Parsed& p) {
  const ColumnBatch& b = p.out.batches[static_cast<int>(Table::kPlays)];
  if (b.rows() != 1) return "rows=" + std::to_string(b.rows());
  std::string row;
  for (std::size_t c = 0; c < b.spec().columns.size(); ++c) {
    if (static_cast<int>(c) == kPlaySourceFormat) continue;
    row += std::string(b.spec().columns[c].name) + "=";
    if (!b.IsValid(static_cast<int>(c), 0)) {
      row += "NULL";
    } else {
      switch (b.spec().columns[c].type) {
        case ColumnType::kText:
        case ColumnType::kBlob:
          row += b.Text(static_cast<int>(c), 0);
          break;
        case ColumnType::kDouble:
          row += std::to_string(b.Double(static_cast<int>(c), 0));
          break;
        default:
          row += std::to_string(b.Int(static_cast<int>(c), 0));
          break;
      }
    }
    row += "|";
  }
  return row;
}

// One field of a test record: its JSON value and its CSV text.
struct Field {
  std::string name, json, csv;
};

// Columns in an order of their own, with one column silver does not know.
const char* kHeader =
    "track_name,note,ts,event_id,user_id,track_id,ms_played,duration_ms,shuffle,skipped,offline,"
    "country,device,level,session_id,artist_id,album_id,artist_name,album_name,region,city,"
    "timezone,platform,reason_start,reason_end";

std::string CsvQuote(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// The same record as one JSON object and as one CSV row under kHeader.
std::pair<std::string, std::string> Record(const std::vector<Field>& fields) {
  std::string json = "{";
  for (const Field& f : fields) {
    if (f.json.empty()) continue;  // absent from the JSON object
    json += (json.size() > 1 ? "," : "") + ("\"" + f.name + "\":") + f.json;
  }
  json += ",\"note\":\"unknown fields are ignored\"}";
  if (json.starts_with("{,")) json.erase(1, 1);
  std::string csv;
  std::istringstream header(kHeader);
  std::string column;
  bool first = true;
  while (std::getline(header, column, ',')) {
    csv += first ? "" : ",";
    first = false;
    if (column == "note") csv += CsvQuote("unknown, \"ignored\"");
    for (const Field& f : fields) {
      if (f.name == column) csv += CsvQuote(f.csv);
    }
  }
  return {json, csv};
}

std::vector<Field> Valid() {
  return {{"event_id", R"("e1")", "e1"},
          {"ts", R"("2026-11-01T18:23:45.123+02:00")", "2026-11-01T18:23:45.123+02:00"},
          {"user_id", R"("u1")", "u1"},
          {"track_id", R"("spotify:track:6potEImiklXkwD9qFzpu15")",
           "spotify:track:6potEImiklXkwD9qFzpu15"},
          {"ms_played", "1000", "1000"}};
}

std::vector<Field> With(std::vector<Field> fields, const std::vector<Field>& changes) {
  for (const Field& change : changes) {
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field& f) { return f.name == change.name; });
    if (it != fields.end()) {
      *it = change;
    } else {
      fields.push_back(change);
    }
  }
  return fields;
}

TEST(CsvRecords, RowsAreCleanedExactlyAsTheSameNdjsonRecord) {
  auto header = CsvHeader::Parse(kHeader);
  ASSERT_TRUE(header) << header.error().message;
  const std::vector<std::vector<Field>> records = {
      Valid(),
      With(Valid(), {{"track_name", R"("  J\u00c3\u0083\u00c2\u00b3ga, \"live\" ")",
                      "  J\xC3\x83\xC2\x83\xC3\x82\xC2\xB3ga, \"live\" "},
                     {"artist_name", R"("Bj\u00c3\u00b6rk")", "Bj\xC3\x83\xC2\xB6rk"},
                     {"album_name", R"("   ")", "   "},
                     {"duration_ms", "2000.0", "2000.0"},
                     {"shuffle", "true", "TRUE"},
                     {"skipped", "false", "false"},
                     {"offline", "null", ""},
                     {"country", R"("de")", "de"},
                     {"device", R"("Mobile")", "Mobile"},
                     {"level", R"("Premium")", "Premium"},
                     {"session_id", "38", "38"},
                     {"artist_id", R"("spotify:artist:0LyfQWJT6nXafLPZqxe9Of")",
                      "spotify:artist:0LyfQWJT6nXafLPZqxe9Of"},
                     {"platform", R"("iOS")", "iOS"},
                     {"reason_end", R"("FwdBtn")", "FwdBtn"},
                     {"timezone", R"("Europe/Berlin")", "Europe/Berlin"}}),
      With(Valid(), {{"ts", "1762014225123", "1762014225123"}}),
      With(Valid(), {{"ms_played", "0", " 0 "}}),
      // Rejections: the same reason, whichever the format.
      With(Valid(), {{"ms_played", R"("a lot")", "a lot"}}),
      With(Valid(), {{"ms_played", "1000.5", "1000.5"}}),
      With(Valid(), {{"ms_played", "-1", "-1"}}),
      With(Valid(), {{"ms_played", "", ""}}),
      With(Valid(), {{"ms_played", "null", ""}}),
      With(Valid(), {{"duration_ms", "0", "0"}}),
      With(Valid(), {{"skipped", R"("yes")", "yes"}}),
      With(Valid(), {{"event_id", R"("  ")", "  "}}),
      With(Valid(), {{"ts", R"("yesterday")", "yesterday"}}),
      With(Valid(), {{"ts", R"("2026-11-01T18:23:45")", "2026-11-01T18:23:45"}}),
      With(Valid(), {{"ts", "5", "5"}}),
      With(Valid(), {{"device", R"("fridge")", "fridge"}}),
      With(Valid(), {{"country", R"("Germany")", "Germany"}}),
      With(Valid(), {{"level", R"("gold")", "gold"}}),
      With(Valid(), {{"user_id", "\"" + std::string(129, 'u') + "\"", std::string(129, 'u')}}),
      With(Valid(), {{"track_name", "\"" + std::string(1025, 'n') + "\"", std::string(1025, 'n')}}),
  };
  int accepted = 0;
  for (const auto& fields : records) {
    const auto [json, csv] = Record(fields);
    const Parsed from_json = ParseJson(json);
    const Parsed from_csv = ParseCsv(*header, csv);
    if (from_json.rejection) {
      ASSERT_TRUE(from_csv.rejection)
          << csv << " was accepted; JSON: " << from_json.rejection->detail;
      EXPECT_EQ(from_csv.rejection->reason, from_json.rejection->reason) << csv;
      EXPECT_EQ(from_csv.rejection->detail, from_json.rejection->detail) << csv;
    } else {
      ASSERT_FALSE(from_csv.rejection) << csv << " → " << from_csv.rejection->detail;
      EXPECT_EQ(Row(from_csv), Row(from_json)) << csv;
      ++accepted;
    }
  }
  EXPECT_EQ(accepted, 4);  // the first four records are valid plays
}

TEST(CsvRecords, CsvOnlyProblemsAreRejectedWithReasons) {
  auto header = CsvHeader::Parse("event_id,ts,user_id,track_id,ms_played");
  ASSERT_TRUE(header);
  const std::pair<std::string, std::string_view> cases[] = {
      {"e1,2026-11-01T18:23:45Z,u1,t1", reason::kWrongFieldCount},
      {"e1,2026-11-01T18:23:45Z,u1,t1,1000,extra", reason::kWrongFieldCount},
      {"e1,2026-11-01T18:23:45Z,u\xff,t1,1000", reason::kInvalidUtf8},
      {"e1,2026-11-01T18:23:45Z,\"u1,t1,1000", reason::kUnterminatedQuote},
      {"e1,2026-11-01T18:23:45Z,u\"1,t1,1000", reason::kInvalidCsv},
  };
  for (const auto& [line, expected] : cases) {
    Parsed p = ParseCsv(*header, line);
    ASSERT_TRUE(p.rejection) << line;
    EXPECT_EQ(p.rejection->reason, expected) << line << " → " << p.rejection->detail;
    EXPECT_EQ(p.out[Table::kPlays].rows(), 0u);
  }
  EXPECT_EQ(ParseCsv(*header, "e1,2026-11-01T18:23:45Z,u1,t1,1000").out[Table::kPlays].rows(), 1u);
  EXPECT_EQ(ParseCsv(*header, "e1,2026-11-01T18:23:45Z,u1,t1,1000\r\n").out[Table::kPlays].rows(),
            1u);
}

TEST(CsvRecords, ALineBeforeTheHeaderIsAnError) {
  RecordParser parser(kCsvContext);
  TableBatches out;
  auto r = parser.Parse("e1,2026-11-01T18:23:45Z,u1,t1,1000", 40, 2, out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kInternal);
}

// --- Headers that do not name contract fields.

const BatchContext kLastfmContext{
    Format::kCsv, "/in/scrobbles.csv", "scrobbles.csv", "b1", "ann", ""};

// Plays of `lines` (data lines of a CSV whose header is `header_line`) as
// "ts_ms|user|track_id|track_name|artist|album|ms_played|play_id" rows, or
// "reason: detail" for rejected lines.
std::vector<std::string> Plays(const std::string& header_line,
                               const std::vector<std::string>& lines,
                               const CsvMapping& mapping = {},
                               const BatchContext& context = kLastfmContext) {
  auto header = CsvHeader::Parse(header_line, mapping);
  EXPECT_TRUE(header) << header.error().message;
  if (!header) return {};
  RecordParser parser(context);
  parser.SetCsvHeader(&*header);
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    TableBatches batches;
    auto r = parser.Parse(line, line.size(), 2, batches);
    if (!r) {
      out.push_back("error: " + r.error().message);
      continue;
    }
    if (*r) {
      out.push_back(fmt::format("{}: {}", (*r)->reason, (*r)->detail));
      continue;
    }
    const ColumnBatch& b = batches[Table::kPlays];
    if (b.rows() != 1) {
      out.push_back(
          fmt::format("plays={} page_views={}", b.rows(), batches[Table::kPageViews].rows()));
      continue;
    }
    const auto text = [&](int column) {
      return b.IsValid(column, 0) ? std::string(b.Text(column, 0)) : std::string("NULL");
    };
    out.push_back(fmt::format(
        "{}|{}|{}|{}|{}|{}|{}|{}", b.Int(kPlayEventTs, 0) / 1000, text(kPlayUserId),
        text(kPlayTrackId), text(kPlayTrackName), text(kPlayArtistName), text(kPlayAlbumName),
        b.IsValid(kPlayMsPlayed, 0) ? std::to_string(b.Int(kPlayMsPlayed, 0)) : std::string("NULL"),
        b.Text(0, 0).size()));
  }
  return out;
}

using Lines = std::vector<std::string>;

TEST(CsvHeader, LastfmScrobbleExportIsRecognisedWithoutAMapping) {
  const std::string header = "uts,utc_time,artist,artist_mbid,album,album_mbid,track,track_mbid";
  auto h = CsvHeader::Parse(header);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->kind(), "lastfm");
  EXPECT_EQ(h->time_format(), CsvTimeFormat::kEpochSeconds);
  EXPECT_FALSE(h->line1_is_data());
  const Lines rows = {
      R"(1609875420,"05 Jan 2021, 19:37",Radiohead,a74b1b7f-71a5-4011-9441-d0b5e4122711,OK Computer,b1392450-e666-3926-a536-22c65f834433,Karma Police,8dc9ba8e-3fe6-4d47-b2b9-a0cdd2b9c0c8)",
      R"(1609875180,"05 Jan 2021, 19:33",Sigur Rós,f6f2326f-6b25-4170-b89d-e235b25508e8,Ágætis byrjun,,Svefn-g-englar,)",
      R"(1609875000,"05 Jan 2021, 19:30",Radiohead,,,,,)",
  };
  EXPECT_EQ(
      Plays(header, rows),
      (Lines{"1609875420000|ann|8dc9ba8e-3fe6-4d47-b2b9-a0cdd2b9c0c8|Karma Police|Radiohead|"
             "OK Computer|NULL|32",
             "1609875180000|ann|NULL|Svefn-g-englar|Sigur Rós|Ágætis byrjun|NULL|32",
             "missing_field: required field 'track_id' or 'track_name' is missing or empty"}));
  // Without a user the file is refused: a scrobble says nothing of whose it is.
  const BatchContext nobody{Format::kCsv, "/in/scrobbles.csv", "scrobbles.csv", "b1", "", ""};
  const Lines refused = Plays(header, {rows[0]}, {}, nobody);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].find("--user NAME"), std::string::npos) << refused[0];
}

TEST(CsvHeader, HeaderlessLastfmLineOneIsAPlay) {
  const std::string line1 = R"(Radiohead,OK Computer,Karma Police,"05 Jan 2021, 19:37")";
  auto h = CsvHeader::Parse(line1);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->kind(), "lastfm-headerless");
  EXPECT_TRUE(h->line1_is_data());
  const Lines plays = Plays(line1, {line1, "Radiohead,OK Computer,Karma Police,05 Jan 2021 19:37",
                                    "Björk,Homogenic,Jóga,31 Feb 2021 10:00"});
  ASSERT_EQ(plays.size(), 3u);
  EXPECT_EQ(plays[0], "1609875420000|ann|NULL|Karma Police|Radiohead|OK Computer|NULL|32");
  // The same play written twice is one play (the id is the row's content).
  EXPECT_EQ(plays[1], plays[0]);
  EXPECT_EQ(plays[2].substr(0, plays[2].find(':')), "invalid_timestamp") << plays[2];
}

TEST(CsvHeader, EventsimCsvIsReadAsItsJson) {
  const std::string header =
      "artist,auth,firstName,gender,itemInSession,lastName,length,level,location,method,page,"
      "registration,sessionId,song,status,ts,userAgent,userId";
  auto h = CsvHeader::Parse(header);
  ASSERT_TRUE(h) << h.error().message;
  EXPECT_EQ(h->kind(), "eventsim");
  const Lines plays = Plays(
      header,
      {R"csv(Des'ree,Logged In,Kaylee,F,1,Summers,246.30812,free,"Phoenix-Mesa-Scottsdale, AZ",PUT,NextSong,1540344794796.0,139,You Gotta Be,200,1541106106796,"""Mozilla/5.0 (Windows NT 6.1; WOW64) AppleWebKit/537.36""",8)csv",
       R"csv(,Logged In,Kaylee,F,2,Summers,,free,"Phoenix-Mesa-Scottsdale, AZ",GET,Upgrade,1540344794796.0,139,,200,1541106132796,"""Mozilla/5.0 (Windows NT 6.1; WOW64)""",8)csv"});
  ASSERT_EQ(plays.size(), 2u);
  EXPECT_EQ(plays[0], "1541106106796|8|NULL|You Gotta Be|Des'ree|NULL|246308|32");
  EXPECT_EQ(plays[1], "plays=0 page_views=1");
}

TEST(CsvHeader, AMappingReadsAnyHeader) {
  CsvMapping mapping;
  mapping.columns = {{"user_id", "Listener"},
                     {"ts", "When"},
                     {"track_name", "Song"},
                     {"artist_name", "Artist"},
                     {"ms_played", "Played (ms)"}};
  mapping.timestamp_format = "epoch_ms";
  ASSERT_TRUE(mapping.Validate());
  const std::string header = "When,Listener,Song,Artist,Played (ms),Notes";
  EXPECT_EQ(Plays(header,
                  {"1630000000123,bob,Teardrop,Massive Attack,1000,x",
                   "1.630000000123E+12,bob,Teardrop,Massive Attack,1000,x",
                   "1.63E+12,bob,Teardrop,Massive Attack,1000,x",
                   "16300000001230000000000,bob,Teardrop,Massive Attack,1000,x",
                   "yesterday,bob,Teardrop,Massive Attack,1000,x"},
                  mapping),
            (Lines{"1630000000123|bob|NULL|Teardrop|Massive Attack|NULL|1000|32",
                   "1630000000123|bob|NULL|Teardrop|Massive Attack|NULL|1000|32",
                   "imprecise_timestamp: field 'ts': '1.63E+12' is known only to the nearest "
                   "10000000 s (a spreadsheet wrote it in scientific notation and dropped digits); "
                   "format the column as a whole number and export it again",
                   "out_of_range: field 'ts': '16300000001230000000000' is outside 1990..2100",
                   "invalid_timestamp: field 'ts': 'yesterday' is not epoch milliseconds"}));
  mapping.timestamp_format = "epoch_s";
  EXPECT_EQ(Plays(header, {"1.630000123E+09,bob,Teardrop,Massive Attack,1000,x"}, mapping),
            (Lines{"1630000123000|bob|NULL|Teardrop|Massive Attack|NULL|1000|32"}));
}

TEST(CsvHeader, MappingProblemsAreNamed) {
  const auto error = [](const std::string& header, CsvMapping mapping) {
    if (auto s = mapping.Validate(); !s) return s.error().message;
    auto h = CsvHeader::Parse(header, mapping);
    return h ? std::string("accepted") : h.error().message;
  };
  EXPECT_NE(
      error("A,B", {{{"listener", "A"}}, ""}).find("columns.listener: not a play-event field"),
      std::string::npos);
  EXPECT_NE(error("A,B", {{{"ts", "A"}, {"ts", "B"}}, ""}).find("columns.ts: mapped twice"),
            std::string::npos);
  EXPECT_NE(error("A,B", {{{"ts", "A"}}, "unix"}).find("timestamp_format: unknown format 'unix'"),
            std::string::npos);
  EXPECT_NE(error("A,B", {{{"ts", "When"}}, ""}).find("no column 'When' (mapped to ts)"),
            std::string::npos);
  EXPECT_NE(error("A,B", {{{"track_name", "A"}}, ""}).find("no column for 'ts'"),
            std::string::npos);
  EXPECT_NE(error("A,B", {{{"ts", "A"}}, ""}).find("no column for 'track_id' or 'track_name'"),
            std::string::npos);
  EXPECT_EQ(error("A,ts", {{{"ts", "A"}, {"track_name", "ts"}}, ""}), "accepted");
}

TEST(CsvRecords, DocsListTheCsvReasons) {
  std::ifstream in(std::string(PLAYLAKE_DOCS_DIR) + "/silver.md");
  std::stringstream text;
  text << in.rdbuf();
  for (std::string_view r :
       {reason::kInvalidCsv, reason::kUnterminatedQuote, reason::kWrongFieldCount,
        reason::kInvalidCsvHeader, reason::kImpreciseTimestamp}) {
    EXPECT_NE(text.str().find("| `" + std::string(r) + "` |"), std::string::npos) << r;
  }
}

}  // namespace
}  // namespace playlake::sources
