// No file lost to its first lines: detection from many lines, a byte order
// mark before NDJSON, and files quarantined whole (reported as such, and read
// again when the user says how).
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "silver/ingest.h"
#include "silver/test_util.h"
#include "testing/testing.h"

namespace playlake::silver {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// `n` Playlake play events shaped like the simulator's, one per line.
std::string Plays(int n, int first = 0) {
  std::string out;
  for (int i = first; i < first + n; ++i) {
    out += fmt::format(
        R"({{"event_id":"0f3c2a9e-5b1d-4c7e-9a20-{:012d}","ts":"2026-07-06T0{}:1{}:45.123Z",)"
        R"("user_id":"u{:04d}","track_id":"spotify:track:6potEImiklXkwD9qFzpu15","ms_played":{},)"
        R"("track_name":"Jóga","artist_name":"Björk","device":"mobile","country":"IS"}})"
        "\n",
        i, i % 10, i % 6, i % 7, 30000 + i);
  }
  return out;
}

std::string Reasons(TestLake& lake) {
  return lake.Scalar(
      "SELECT coalesce(string_agg(reason || '@' || line, ' ' ORDER BY line), '') FROM quarantine");
}

TEST(WholeFile, ABadFirstLineNoLongerDecidesTheFormat) {
  TempDir dir;
  const std::string no_id =
      R"({"ts":"2026-07-06T01:10:45Z","user_id":"u1","track_id":"t1","ms_played":1000})";
  WriteFile(dir / "in" / "a_garbage.jsonl", "### export of 2026-07-06 ###\n" + Plays(5, 0));
  WriteFile(dir / "in" / "b_other.jsonl", "{\"export\":\"plays\",\"version\":2}\n" + Plays(5, 5));
  WriteFile(dir / "in" / "c_no_id.jsonl", no_id + "\n" + Plays(5, 10));
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({(dir / "in").string()});
  ASSERT_TRUE(report) << report.error().message;
  for (const auto& f : report->files) {
    EXPECT_EQ(f.outcome, Outcome::kCommitted) << f.path << ": " << f.error;
    EXPECT_EQ(f.format, "playlake") << f.path;
  }
  EXPECT_EQ(lake.Count("plays"), 15);
  EXPECT_EQ(lake.Scalar("SELECT string_agg(reason || '@' || line, ' ' ORDER BY source_file) "
                        "FROM quarantine"),
            "invalid_json@1 missing_field@1 missing_field@1");
}

TEST(WholeFile, AByteOrderMarkBeforeNdjsonIsSkipped) {
  TempDir dir;
  WriteFile(dir / "plays.jsonl", "\xEF\xBB\xBF" + Plays(3));
  TestLake lake(dir / "lake");
  auto report = lake.Ingest({(dir / "plays.jsonl").string()});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->files[0].format, "playlake");
  EXPECT_EQ(lake.Count("plays"), 3);
  EXPECT_EQ(Reasons(lake), "");
}

TEST(WholeFile, IsReportedAsSuchAndAnExplicitFormatReadsItAgain) {
  TempDir dir;
  // A preamble longer than the lines detection samples: nothing to go by.
  std::string preamble;
  for (int i = 0; i < sources::kSampleLines; ++i) {
    preamble += fmt::format("{{\"log\":\"exporter started part {}\"}}\n", i);
  }
  const fs::path file = dir / "export.jsonl";
  WriteFile(file, preamble + Plays(4));
  TestLake lake(dir / "lake");
  auto first = lake.Ingest({file.string()});
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->files.size(), 1u);
  EXPECT_EQ(first->files[0].outcome, Outcome::kQuarantinedWhole);
  EXPECT_EQ(first->files[0].format, "unknown");
  EXPECT_TRUE(first->files[0].error.starts_with("unknown_format: ")) << first->files[0].error;
  EXPECT_NE(first->ToText().find("QUARANTINED WHOLE " + file.string() + ": unknown_format"),
            std::string::npos)
      << first->ToText();
  EXPECT_EQ(first->ToText().find("committed"), std::string::npos) << first->ToText();
  const auto json = nlohmann::json::parse(first->ToJson());
  EXPECT_EQ(json["outcomes"]["quarantined_whole"], 1);
  EXPECT_EQ(json["details"][0]["outcome"], "quarantined_whole");
  EXPECT_EQ(lake.Count("plays"), 0);
  EXPECT_EQ(Reasons(lake), "unknown_format@1");

  // Detecting again changes nothing; saying how to read it does.
  auto again = lake.Ingest({file.string()});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->files[0].outcome, Outcome::kAlreadyIngested);
  IngestRequest playlake;
  playlake.format = sources::Format::kPlaylake;
  auto told = lake.Ingest({file.string()}, "", playlake);
  ASSERT_TRUE(told) << told.error().message;
  EXPECT_EQ(told->files[0].outcome, Outcome::kCommitted) << told->files[0].error;
  EXPECT_NE(told->files[0].batch_id, first->files[0].batch_id);
  EXPECT_EQ(lake.Count("plays"), 4);
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM quarantine WHERE reason = 'missing_field'"),
            std::to_string(sources::kSampleLines));
  // Told the same again: nothing new.
  const std::string dump = lake.Dump();
  auto replay = lake.Ingest({file.string()}, "", playlake);
  ASSERT_TRUE(replay);
  EXPECT_EQ(replay->files[0].outcome, Outcome::kAlreadyIngested);
  EXPECT_EQ(lake.Dump(), dump);
}

TEST(WholeFile, ARefusedCsvHeaderIsReadAgainWithAMapping) {
  TempDir dir;
  const fs::path file = dir / "listens.csv";
  WriteFile(file,
            "Listener,When,Song,Artist,Played (ms)\n"
            "ann,2026-07-06T08:01:02Z,Teardrop,Massive Attack,31000\n"
            "ann,2026-07-06T08:06:33Z,Angel,Massive Attack,62000\n"
            "bob,2026-07-06T09:00:00Z,,,1000\n");
  TestLake lake(dir / "lake");
  auto first = lake.Ingest({file.string()});
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->files[0].outcome, Outcome::kQuarantinedWhole);
  EXPECT_TRUE(first->files[0].error.starts_with("invalid_csv_header: ")) << first->files[0].error;
  // The same reading again: the same answer, not a second quarantine row.
  IngestRequest csv;
  csv.format = sources::Format::kCsv;
  auto same = lake.Ingest({file.string()}, "", csv);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->files[0].outcome, Outcome::kAlreadyIngested);

  IngestRequest mapped;
  mapped.csv.columns = {{"user_id", "Listener"},
                        {"ts", "When"},
                        {"track_name", "Song"},
                        {"artist_name", "Artist"},
                        {"ms_played", "Played (ms)"}};
  auto told = lake.Ingest({file.string()}, "", mapped);
  ASSERT_TRUE(told) << told.error().message;
  EXPECT_EQ(told->files[0].outcome, Outcome::kCommitted) << told->files[0].error;
  EXPECT_EQ(lake.Scalar("SELECT string_agg(user_id || ' ' || track_name || ' ' || ms_played, ', ' "
                        "ORDER BY event_ts) FROM plays"),
            "ann Teardrop 31000, ann Angel 62000");
  EXPECT_EQ(Reasons(lake), "invalid_csv_header@1 missing_field@4");
}

}  // namespace
}  // namespace playlake::silver
