// CSV input end to end: simulated plays with real track names, as CSV and as
// NDJSON, must give the same silver rows; bad rows go to quarantine with
// their reasons and real line numbers while the rows around them land.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "silver/ingest.h"
#include "silver/test_util.h"
#include "testing/testing.h"

namespace playlake::silver {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::RealData;
using testing::RunPlaylake;
using testing::TempDir;

// The contract's fields in an order of our own, with a column silver ignores.
const std::vector<std::string> kColumns = {
    "track_name", "client_note", "ts",          "event_id",     "user_id",
    "track_id",   "ms_played",   "duration_ms", "shuffle",      "skipped",
    "offline",    "country",     "device",      "level",        "session_id",
    "artist_id",  "album_id",    "artist_name", "album_name",   "region",
    "city",       "timezone",    "platform",    "reason_start", "reason_end"};

std::string CsvQuote(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

// One event as a CSV row (no line end): strings as text, numbers and
// booleans as JSON writes them, null or absent as an empty field.
std::string CsvRow(const json& event) {
  std::string row;
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    if (i > 0) row += ',';
    if (kColumns[i] == "client_note") {
      row += CsvQuote("kept in bronze, \"ignored\" by silver");
      continue;
    }
    const auto it = event.find(kColumns[i]);
    if (it == event.end() || it->is_null()) continue;
    row += it->is_string() ? CsvQuote(it->get<std::string>()) : it->dump();
  }
  return row;
}

std::string CsvHeaderLine() {
  std::string header;
  for (const auto& c : kColumns) header += (header.empty() ? "" : ",") + c;
  return header;
}

// Real (song, artist) names from the Sparkify logs: commas, quotes, accents
// and double-encoded UTF-8 as the raw files carry them.
std::vector<std::pair<std::string, std::string>> RealNames() {
  std::vector<std::pair<std::string, std::string>> names;
  for (const char* day : {"2018-11-05", "2018-11-13", "2018-11-28"}) {
    std::ifstream in(RealData() / "sparkify" / "log_data" / "2018" / "11" /
                     (std::string(day) + "-events.json"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      const json j = json::parse(line);
      if (j["page"] == "NextSong")
        names.emplace_back(j["song"].get<std::string>(), j["artist"].get<std::string>());
    }
  }
  return names;
}

// Simulated plays (with re-sent duplicates and late events) whose names are
// replaced by real ones, chosen by event id so a re-sent play stays identical.
std::vector<json> SimulatedPlays(const std::string& flags) {
  const auto run = RunPlaylake("generate --quiet --threads 1 " + flags);
  EXPECT_EQ(run.exit_code, 0) << run.stderr_text;
  const auto names = RealNames();
  EXPECT_GT(names.size(), 1000u);
  std::vector<json> events;
  std::istringstream lines(run.stdout_text);
  std::string line;
  while (std::getline(lines, line)) {
    json event = json::parse(line);
    const auto& [song, artist] =
        names[std::hash<std::string>{}(event["event_id"].get<std::string>()) % names.size()];
    event["track_name"] = song;
    event["artist_name"] = artist;
    // Real names carry quotes but no commas: some album names get one.
    if (event["ms_played"].get<std::int64_t>() % 3 == 0)
      event["album_name"] = song + " (" + artist + ", live)";
    events.push_back(std::move(event));
  }
  return events;
}

std::string Hex(std::string_view bytes) {
  std::string hex;
  for (unsigned char c : bytes) hex += fmt::format("{:02X}", c);
  return hex;
}

std::vector<std::string> Column(TestLake& lake, const std::string& sql) {
  std::vector<std::string> out;
  for (const auto& row : lake.Query(sql).rows) {
    std::string text;
    for (const auto& v : row) text += v.value_or("NULL") + "|";
    out.push_back(text);
  }
  return out;
}

TEST(CsvIngest, SimulatedPlaysLandAsTheSameRowsAsTheirNdjson) {
  TempDir dir;
  const std::vector<json> events = SimulatedPlays(
      "--users 300 --start 2026-07-06 --end 2026-07-08 --events 4000 --dup-rate 0.02 "
      "--late-rate 0.02 --seed 11");
  std::set<std::string> ids;
  std::string ndjson, csv = "\xEF\xBB\xBF" + CsvHeaderLine() + "\r\n";  // a BOM and CRLF line ends
  for (const json& e : events) {
    ids.insert(e["event_id"].get<std::string>());
    ndjson += e.dump() + "\n";
    csv += CsvRow(e) + "\r\n";
  }
  ASSERT_GT(events.size(), ids.size());  // the duplicates are there to be removed
  WriteFile(dir / "in" / "plays.jsonl", ndjson);
  WriteFile(dir / "in" / "plays.csv", csv);

  // Small regions on two workers: the header must reach every region and part.
  IngestRequest request;
  request.processor.region_bytes = 256 << 10;
  TestLake from_ndjson(dir / "ndjson");
  auto a = from_ndjson.Ingest({(dir / "in" / "plays.jsonl").string()}, "", request);
  ASSERT_TRUE(a) << a.error().message;
  // The CSV goes through the command line, its format detected from the name.
  const auto ingested =
      RunPlaylake(fmt::format("ingest {} --lake {} --threads 2",
                              (dir / "in" / "plays.csv").string(), (dir / "csv").string()));
  ASSERT_EQ(ingested.exit_code, 0) << ingested.stderr_text << ingested.stdout_text;
  TestLake from_csv(dir / "csv");

  EXPECT_EQ(from_ndjson.Count("plays"), static_cast<std::int64_t>(ids.size()));
  EXPECT_EQ(from_csv.Count("plays"), static_cast<std::int64_t>(ids.size()));
  EXPECT_EQ(from_csv.Count("quarantine"), 0);
  EXPECT_EQ(from_csv.Scalar("SELECT string_agg(DISTINCT source_format) FROM plays"), "csv");
  // Every value column equal; a CSV line is its NDJSON line + 1 (the header).
  const std::string columns =
      "play_id, event_ts, event_date, user_id, session_id, track_id, artist_id, album_id, "
      "track_name, artist_name, album_name, ms_played, duration_ms, country, region, city, "
      "timezone, device, platform, level, reason_start, reason_end, shuffle, skipped, offline";
  const auto expected =
      Column(from_ndjson, "SELECT " + columns + ", source_line + 1 FROM plays ORDER BY play_id");
  const auto got =
      Column(from_csv, "SELECT " + columns + ", source_line FROM plays ORDER BY play_id");
  ASSERT_EQ(got.size(), expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], expected[i]) << "row " << i;
  // The real names went through intact: repaired, quotes and commas kept.
  EXPECT_NE(from_csv.Scalar("SELECT count(*) FROM plays WHERE track_name LIKE '%\"%'"), "0");
  EXPECT_NE(from_csv.Scalar("SELECT count(*) FROM plays WHERE album_name LIKE '%,%'"), "0");
  // The same CSV through the library in small regions on two workers.
  TestLake from_csv_regions(dir / "csv_regions");
  auto c = from_csv_regions.Ingest({(dir / "in" / "plays.csv").string()}, "", request);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(
      Column(from_csv_regions, "SELECT " + columns + ", source_line FROM plays ORDER BY play_id"),
      got);
  EXPECT_EQ(from_csv.Scalar("SELECT count(*) FROM plays WHERE regexp_matches(artist_name || "
                            "track_name, '[ÂÃ][\\x{80}-\\x{BF}]')"),
            "0");
}

TEST(CsvIngest, BadRowsAreQuarantinedWithReasonsAndLinesWhileTheOthersLand) {
  TempDir dir;
  const std::vector<json> events =
      SimulatedPlays("--users 50 --start 2026-07-06 --end 2026-07-06 --events 40 --seed 3");
  ASSERT_EQ(events.size(), 40u);
  // Lines of the file, each with the reason it must be quarantined for ("" = lands).
  std::vector<std::pair<std::string, std::string>> lines = {{CsvHeaderLine(), "header"}};
  std::set<std::string> landing;
  auto good = [&](const json& e) {
    lines.emplace_back(CsvRow(e), "");
    landing.insert(e["event_id"].get<std::string>());
  };
  for (std::size_t i = 0; i < events.size(); ++i) {
    json e = events[i];
    switch (i) {
      case 3: {  // the last field missing
        const std::string row = CsvRow(e);
        lines.emplace_back(row.substr(0, row.rfind(',')), "wrong_field_count");
        break;
      }
      case 7: {  // a line break inside quotes: two broken pieces, neither a play
        e["track_name"] = "Line\nBreak";
        const std::string row = CsvRow(e);
        const std::size_t nl = row.find('\n');
        lines.emplace_back(row.substr(0, nl), "unterminated_quote");
        lines.emplace_back(row.substr(nl + 1), "invalid_csv");
        break;
      }
      case 12:
        e["artist_name"] = "Mot\xF6rhead";  // Latin-1, not UTF-8
        lines.emplace_back(CsvRow(e), "invalid_utf8");
        break;
      case 15:
        e["ms_played"] = "a lot";
        lines.emplace_back(CsvRow(e), "wrong_type");
        break;
      case 18:
        e["device"] = "fridge";
        lines.emplace_back(CsvRow(e), "invalid_value");
        break;
      case 21:
        e["event_id"] = "";
        lines.emplace_back(CsvRow(e), "missing_field");
        break;
      case 24: {  // a field too many; an unterminated quote in the last column
        const std::string row = CsvRow(e);
        lines.emplace_back(row + ",extra", "wrong_field_count");
        lines.emplace_back(row.substr(0, row.rfind(',')) + ",\"oops", "unterminated_quote");
        break;
      }
      case 30:
        lines.emplace_back("", "blank");  // not a record
        good(e);
        break;
      default:
        good(e);
    }
  }
  std::string text;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    text += lines[i].first + (i % 2 ? "\r\n" : "\n");  // mixed line ends
  }
  WriteFile(dir / "in" / "mixed.csv", text);
  TestLake lake(dir / "lake");
  IngestRequest request;
  request.processor.region_bytes = 4096;  // many regions
  auto report = lake.Ingest({(dir / "in").string()}, "", request);
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->files.size(), 1u);
  EXPECT_EQ(report->files[0].outcome, Outcome::kCommitted) << report->files[0].error;
  EXPECT_EQ(report->files[0].stats.blank_lines, 1);

  std::vector<std::string> expected;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string& why = lines[i].second;
    if (!why.empty() && why != "header" && why != "blank")
      expected.push_back(fmt::format("{}@{}", why, i + 1));
  }
  ASSERT_EQ(expected.size(), 9u);
  std::vector<std::string> got;
  for (const auto& row : lake.Query("SELECT reason, line FROM quarantine ORDER BY line").rows) {
    got.push_back(*row[0] + "@" + *row[1]);
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(lake.Count("plays"), static_cast<std::int64_t>(landing.size()));
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM plays WHERE play_id NOT IN (" +
                        [&] {
                          std::string list;
                          for (const auto& id : landing)
                            list += (list.empty() ? "'" : ",'") + id + "'";
                          return list;
                        }() +
                        ")"),
            "0");
  // Each quarantine row keeps its line's raw bytes, source and detail.
  for (const auto& row : lake.Query("SELECT line, hex(raw), source_file, source_format, detail, "
                                    "target_table FROM quarantine ORDER BY line")
                             .rows) {
    const std::size_t line = std::stoul(*row[0]);
    EXPECT_EQ(*row[1], Hex(lines[line - 1].first)) << "line " << line;
    EXPECT_EQ(*row[2], (dir / "in" / "mixed.csv").string());
    EXPECT_EQ(*row[3], "csv");
    EXPECT_EQ(*row[5], "plays");
    EXPECT_FALSE(row[4]->empty());
  }
  EXPECT_EQ(
      lake.Scalar(
          "SELECT detail FROM quarantine WHERE reason = 'wrong_field_count' ORDER BY line LIMIT 1"),
      fmt::format("the row has {} fields, the header has {} columns", kColumns.size() - 1,
                  kColumns.size()));
  // The good rows keep their real line numbers.
  for (const auto& row : lake.Query("SELECT play_id, source_line FROM plays").rows) {
    const std::size_t line = std::stoul(*row[1]);
    ASSERT_LE(line, lines.size());
    EXPECT_NE(lines[line - 1].first.find(*row[0]), std::string::npos) << "line " << line;
    EXPECT_EQ(lines[line - 1].second, "");
  }
  // Ingesting the same file again changes nothing.
  const std::string before = lake.Dump();
  const int manifests = lake.ManifestCount();
  auto again = lake.Ingest({(dir / "in").string()}, "", request);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->files[0].outcome, Outcome::kAlreadyIngested);
  EXPECT_EQ(lake.Dump(), before);
  EXPECT_EQ(lake.ManifestCount(), manifests);
}

TEST(CsvIngest, AHeaderWithoutARequiredColumnQuarantinesTheWholeFile) {
  TempDir dir;
  const std::vector<json> events =
      SimulatedPlays("--users 20 --start 2026-07-06 --end 2026-07-06 --events 5 --seed 4");
  std::string good = CsvHeaderLine() + "\n";
  std::string bad = "event_id,ts,user_id,track_id,played_ms\n";
  for (const json& e : events) {
    good += CsvRow(e) + "\n";
    bad += fmt::format("{},{},{},{},{}\n", e["event_id"].get<std::string>(),
                       e["ts"].get<std::string>(), e["user_id"].get<std::string>(),
                       e["track_id"].get<std::string>(), e["ms_played"].get<std::int64_t>());
  }
  WriteFile(dir / "in" / "a_bad.csv", bad);
  WriteFile(dir / "in" / "b_good.csv", good);
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({(dir / "in").string()});
  ASSERT_TRUE(report) << report.error().message;
  ASSERT_EQ(report->files.size(), 2u);
  EXPECT_FALSE(report->AnyFailed()) << report->ToText();
  EXPECT_EQ(lake.Count("plays"), 5);  // the good file's plays
  const auto q =
      lake.Query("SELECT reason, line, raw_length, detail, source_file FROM quarantine").rows;
  ASSERT_EQ(q.size(), 1u);
  EXPECT_EQ(*q[0][0], "invalid_csv_header");
  EXPECT_EQ(*q[0][1], "1");
  EXPECT_EQ(*q[0][2], std::to_string(bad.size()));  // the whole file is one quarantined record
  EXPECT_NE(q[0][3]->find("no column 'ms_played'"), std::string::npos) << *q[0][3];
  EXPECT_NE(q[0][3]->find("'played_ms'"), std::string::npos) << *q[0][3];
  EXPECT_EQ(*q[0][4], (dir / "in" / "a_bad.csv").string());
  // --format csv on a JSON file: the same refusal, not a crash or silent loss.
  WriteFile(dir / "in2" / "plays.jsonl", events[0].dump() + "\n");
  IngestRequest request;
  request.format = sources::Format::kCsv;
  ASSERT_TRUE(lake.Ingest({(dir / "in2").string()}, "", request));
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM quarantine WHERE reason = 'invalid_csv_header'"),
            "2");
}

TEST(CsvIngest, SilverIsCaughtUpFromACsvInBronze) {
  TempDir dir;
  const std::vector<json> events =
      SimulatedPlays("--users 20 --start 2026-07-06 --end 2026-07-06 --events 30 --seed 5");
  std::string csv = CsvHeaderLine() + "\n";
  for (const json& e : events) csv += CsvRow(e) + "\n";
  csv += "broken,\"row\n";
  WriteFile(dir / "plays.csv", csv);
  std::string expected;
  {
    TestLake lake(dir / "lake");
    ASSERT_TRUE(lake.Ingest({(dir / "plays.csv").string()}));
    expected = lake.Dump();
    EXPECT_EQ(lake.Count("plays"), 30);
    // Forget silver, as if the process died between the two commits.
    auto entries = lake.lake().Entries("silver");
    ASSERT_TRUE(entries);
    ASSERT_TRUE(lake.lake().storage().Remove(lake::ManifestKey("silver", entries->at(0).batch_id)));
    EXPECT_EQ(lake.Count("plays"), 0);
  }
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({(dir / "plays.csv").string()});
  ASSERT_TRUE(report);
  EXPECT_EQ(report->files[0].outcome, Outcome::kSilverCaughtUp);
  EXPECT_EQ(lake.Dump(), expected);
  EXPECT_EQ(lake.Scalar("SELECT reason || '@' || line FROM quarantine"), "unterminated_quote@32");
}

TEST(CsvIngest, EventsimLogsAsCsvLandAsTheirJson) {
  TempDir dir;
  const fs::path day =
      RealData() / "sparkify" / "log_data" / "2018" / "11" / "2018-11-13-events.json";
  const std::vector<std::string> keys = {
      "artist",    "auth",  "firstName", "gender", "itemInSession", "lastName",
      "length",    "level", "location",  "method", "page",          "registration",
      "sessionId", "song",  "status",    "ts",     "userAgent",     "userId"};
  std::string csv;
  for (const auto& k : keys) csv += (csv.empty() ? "" : ",") + k;
  csv += "\n";
  std::ifstream in(day);
  std::string line;
  int records = 0;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const json j = json::parse(line);
    std::string row;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (i > 0) row += ',';
      const auto it = j.find(keys[i]);
      if (it == j.end() || it->is_null()) continue;
      row += it->is_string() ? CsvQuote(it->get<std::string>()) : it->dump();
    }
    csv += row + "\n";
    ++records;
  }
  ASSERT_GT(records, 300);
  WriteFile(dir / "events.csv", csv);
  TestLake from_json(dir / "lake_json");
  TestLake from_csv(dir / "lake_csv");
  ASSERT_TRUE(from_json.Ingest({day.string()}));
  auto report = from_csv.Ingest({(dir / "events.csv").string()});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->files[0].outcome, Outcome::kCommitted) << report->files[0].error;
  EXPECT_GT(from_csv.Count("plays"), 100);
  for (const char* sql :
       {"SELECT play_id, event_ts, user_id, session_id, item_in_session, track_name, artist_name, "
        "ms_played, region, city, device, platform, level, user_agent FROM plays ORDER BY play_id",
        "SELECT page_view_id, page, auth, method, http_status, user_id FROM page_views ORDER BY 1",
        "SELECT user_id, first_name, last_name, gender, level, registration_ts FROM users ORDER BY "
        "ALL"}) {
    EXPECT_EQ(Column(from_csv, sql), Column(from_json, sql)) << sql;
  }
  EXPECT_EQ(from_csv.Count("quarantine"), from_json.Count("quarantine"));
}

}  // namespace
}  // namespace playlake::silver
