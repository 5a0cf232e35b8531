// Bad inputs, replays, duplicates across files, late events, vanishing files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "lake/zstd_stream.h"
#include "silver/ingest.h"
#include "silver/test_util.h"
#include "testing/testing.h"

namespace playlake::silver {
namespace {

namespace fs = std::filesystem;
using testing::RealData;
using testing::TempDir;

std::string Event(const std::string& id, const std::string& ts, const std::string& extra = "") {
  return fmt::format(R"({{"event_id":"{}","ts":"{}","user_id":"u1","track_id":"t1","ms_played":1000{}}})",
                     id, ts, extra);
}

TEST(Ingest, BadRecordsAreQuarantinedWithReasonsWhileNeighboursLand) {
  TempDir dir;
  TestLake lake(dir / "lake");
  const std::string long_line = R"({"event_id":"big","pad":")" + std::string(10 << 20, 'x') + "\"}";
  std::string text;
  text += Event("e1", "2026-11-01T10:00:00Z") + "\n";
  text += R"({"event_id":"e2","ts":"2026-11-01T10:00:00Z","user_id":"u1","track_id":"t1","ms_pl)" "\n";
  text += Event("e3", "2026-11-01T10:00:00Z") + "\n";
  text += std::string(R"({"event_id":"e4","ts":"2026-11-01T10:00:00Z","user_id":"u)") + "\xff\xfe" +
          R"(","track_id":"t1","ms_played":1})" + "\n";
  text += R"({"event_id":"e5","ts":"2026-11-01T10:00:00Z","user_id":"u1","track_id":"t1","ms_played":"a lot"})" "\n";
  text += R"({"event_id":"e6","ts":"2026-11-01T10:00:00Z","user_id":"u1","ms_played":5})" "\n";
  text += "\n";  // blank lines are not records
  text += long_line + "\n";
  text += std::string("\x00\x01\x02garbage\x7f", 11) + "\n";
  text += Event("e7", "2026-11-02T10:00:00Z");  // no final newline
  WriteFile(dir / "in" / "events.jsonl", text);
  WriteFile(dir / "in" / "empty.jsonl", "");
  WriteFile(dir / "in" / "blob.json", std::string("\x89PNG\r\n\x1a\n\x00\x00binary", 16));

  auto report = lake.Ingest({(dir / "in").string()});
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(lake.Count("plays"), 3);  // e1, e3, e7
  const auto reasons = lake.Query(
      "SELECT reason, line, raw_length, octet_length(raw) AS kept FROM quarantine ORDER BY source_file, line");
  std::vector<std::string> got;
  for (const auto& row : reasons.rows) got.push_back(*row[0] + "@" + row[1].value_or("?"));
  EXPECT_EQ(got, (std::vector<std::string>{"unknown_format@1", "invalid_json@2", "invalid_utf8@4",
                                           "wrong_type@5", "missing_field@6", "record_too_long@8",
                                           "invalid_json@9"}));
  // The 10 MB line keeps its first 64 KiB and its full length.
  for (const auto& row : reasons.rows) {
    if (*row[0] == "record_too_long") {
      EXPECT_EQ(*row[2], std::to_string(long_line.size()));
      EXPECT_EQ(*row[3], "65536");
    }
  }
  EXPECT_EQ(lake.Scalar("SELECT detail FROM quarantine WHERE reason = 'missing_field'"),
            "required field 'track_id' is missing or empty");
  std::map<std::string, std::string> outcomes;
  for (const auto& f : report->files) outcomes[fs::path(f.path).filename()] = OutcomeName(f.outcome);
  EXPECT_EQ(outcomes["empty.jsonl"], "empty");
  EXPECT_EQ(outcomes["blob.json"], "quarantined_whole");  // landed in bronze, one quarantine row
  EXPECT_EQ(outcomes["events.jsonl"], "committed");
}

TEST(Ingest, QuarantineStaysReadableWhenADetailQuotesCutMultibyteText) {
  TempDir dir;
  TestLake lake(dir / "lake");
  // The detail of a bad `ts` quotes its first 64 bytes: here the cut falls
  // inside "é". Invalid UTF-8 in the detail column made the quarantine
  // Parquet file unreadable for DuckDB.
  const std::string ts = std::string(63, 'x') + "\xC3\xA9";
  WriteFile(dir / "in" / "a.jsonl",
            Event("e1", ts) + "\n" + Event("e2", "2026-11-01T10:00:00Z") + "\n");
  WriteFile(dir / "in" / "b.csv", "event_id,ts,user_id,track_id,ms_played\ne3," + ts +
                                      ",u1,t1,1000\ne4,2026-11-01T10:00:00Z,u1,t1,1000\n");
  ASSERT_TRUE(lake.Ingest({(dir / "in").string()}));
  EXPECT_EQ(lake.Count("plays"), 2);
  EXPECT_EQ(lake.Scalar("SELECT string_agg(reason || '@' || line, ',' ORDER BY source_file) "
                        "FROM quarantine"),
            "invalid_timestamp@1,invalid_timestamp@2");
  EXPECT_EQ(lake.Scalar("SELECT count(*) FROM quarantine WHERE detail LIKE '%x\xEF\xBF\xBD''%'"),
            "2");
}

TEST(Ingest, TruncatedSpotifyExportKeepsTheCompleteRows) {
  TempDir dir;
  TestLake lake(dir / "lake");
  const std::string full = testing::ReadFile(RealData() / "spotify_history" / "Streaming_History_Audio_2022.json");
  WriteFile(dir / "in" / "Streaming_History_Audio_2022.json", full.substr(0, full.size() / 2));
  auto report = lake.Ingest({(dir / "in").string()}, "alice");
  ASSERT_TRUE(report);
  EXPECT_FALSE(report->AnyFailed()) << report->ToText();
  EXPECT_GT(lake.Count("plays"), 10);
  EXPECT_EQ(lake.Scalar("SELECT string_agg(reason) FROM quarantine"), "truncated_json");
}

TEST(Ingest, ReplayingTheSameInputChangesNothing) {
  TempDir dir;
  TestLake lake(dir / "lake");
  const std::vector<std::string> inputs = {
      (RealData() / "sparkify" / "log_data" / "2018" / "11" / "2018-11-05-events.json").string(),
      (RealData() / "spotify_history" / "Streaming_History_Audio_2022.json").string()};
  ASSERT_TRUE(lake.Ingest(inputs, "alice"));
  const std::string before = lake.Dump();
  const int manifests = lake.ManifestCount();
  auto files_before = lake.lake().storage().List("");
  auto again = lake.Ingest(inputs, "alice");
  ASSERT_TRUE(again);
  for (const auto& f : again->files) EXPECT_EQ(f.outcome, Outcome::kAlreadyIngested) << f.path;
  EXPECT_EQ(lake.Dump(), before);
  EXPECT_EQ(lake.ManifestCount(), manifests);
  EXPECT_EQ(*lake.lake().storage().List(""), *files_before);
}

TEST(Ingest, AnUnchangedInputIsNotReadAgain) {
  TempDir dir;
  TestLake lake(dir / "lake");
  const fs::path input = dir / "in" / "a.jsonl";
  WriteFile(input, Event("a1", "2026-11-01T10:00:00Z") + "\n");
  int opens = 0;
  IngestRequest counting;
  counting.open_input = [&](const std::string& path) {
    ++opens;
    return lake::OpenLocalFile(path);
  };
  ASSERT_TRUE(lake.Ingest({input.string()}, "", counting));
  EXPECT_EQ(opens, 2);  // the checksum pass, then bronze and silver
  const std::string before = lake.Dump();

  // Same path, size and modification time: not opened at all.
  auto again = lake.Ingest({input.string()}, "", counting);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->files[0].outcome, Outcome::kAlreadyIngested);
  EXPECT_EQ(opens, 2);

  // Touched but unchanged: read once, recognised by its checksum, nothing added.
  fs::last_write_time(input, fs::last_write_time(input) + std::chrono::seconds(5));
  auto touched = lake.Ingest({input.string()}, "", counting);
  ASSERT_TRUE(touched);
  EXPECT_EQ(touched->files[0].outcome, Outcome::kAlreadyIngested);
  EXPECT_EQ(opens, 3);
  EXPECT_EQ(lake.Dump(), before);

  // Changed: a new batch, with the new play.
  WriteFile(input, Event("a1", "2026-11-01T10:00:00Z") + "\n" + Event("a2", "2026-11-01T11:00:00Z") + "\n");
  auto changed = lake.Ingest({input.string()}, "", counting);
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->files[0].outcome, Outcome::kCommitted);
  EXPECT_EQ(lake.Count("plays"), 2);
}

TEST(Ingest, AnInputFolderMovedElsewhereIsStillIngested) {
  // A project (or an inbox) moved or mounted at another path: nothing lands
  // again, not even in bronze, and its files are not read again when their
  // modification time has a fraction of a second.
  TempDir dir;
  TestLake lake(dir / "lake");
  int opens = 0;
  IngestRequest counting;
  counting.open_input = [&](const std::string& path) {
    ++opens;
    return lake::OpenLocalFile(path);
  };
  const auto fine_time = fs::file_time_type() + std::chrono::seconds(1'790'000'000) +
                         std::chrono::nanoseconds(123'456'789);
  const auto whole_second = fs::file_time_type() + std::chrono::seconds(1'790'000'000);
  WriteFile(dir / "old" / "a.jsonl", Event("a1", "2026-11-01T10:00:00Z") + "\n");
  WriteFile(dir / "old" / "b.jsonl", Event("b1", "2026-11-01T10:00:00Z") + "\n");
  fs::last_write_time(dir / "old" / "a.jsonl", fine_time);
  fs::last_write_time(dir / "old" / "b.jsonl", whole_second);
  ASSERT_TRUE(lake.Ingest({(dir / "old").string()}, "", counting));
  ASSERT_EQ(opens, 4);
  const std::string before = lake.Dump();
  const auto files_before = lake.lake().storage().List("");
  fs::rename(dir / "old", dir / "new");
  for (int run = 0; run < 2; ++run) {
    auto moved = lake.Ingest({(dir / "new").string()}, "", counting);
    ASSERT_TRUE(moved);
    ASSERT_EQ(moved->files.size(), 2u);
    for (const auto& f : moved->files) EXPECT_EQ(f.outcome, Outcome::kAlreadyIngested) << f.path;
  }
  EXPECT_EQ(opens, 6);  // b.jsonl, in whole seconds, is read to check it at each run
  EXPECT_EQ(lake.Dump(), before);
  EXPECT_EQ(*lake.lake().storage().List(""), *files_before);

  // Another file of the same name, size and whole-second time elsewhere is read.
  WriteFile(dir / "other" / "b.jsonl", Event("b2", "2026-11-01T10:00:00Z") + "\n");
  fs::last_write_time(dir / "other" / "b.jsonl", whole_second);
  ASSERT_EQ(fs::file_size(dir / "other" / "b.jsonl"), fs::file_size(dir / "new" / "b.jsonl"));
  auto other_b = lake.Ingest({(dir / "other").string()}, "", counting);
  ASSERT_TRUE(other_b);
  EXPECT_EQ(other_b->files[0].outcome, Outcome::kCommitted);
  EXPECT_EQ(lake.Count("plays"), 3);

  // An export without a username given to another listener is a batch of its
  // own: the same bytes become that listener's plays too.
  const std::string legacy = (RealData() / "spotify_history" / "StreamingHistory3.json").string();
  ASSERT_TRUE(lake.Ingest({legacy}, "alice"));
  auto other = lake.Ingest({legacy}, "bob");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->files[0].outcome, Outcome::kCommitted);
  EXPECT_EQ(lake.Scalar(
                "SELECT count(DISTINCT user_id) FROM plays WHERE source_format = 'spotify-legacy'"),
            "2");
}

TEST(Ingest, TheSameRecordInTwoFilesIsOnePlay) {
  TempDir dir;
  TestLake lake(dir / "lake");
  WriteFile(dir / "a.jsonl", Event("e1", "2026-11-01T10:00:00Z") + "\n" + Event("e2", "2026-11-01T11:00:00Z") + "\n" +
                                 Event("e1", "2026-11-01T10:00:00Z") + "\n");
  WriteFile(dir / "b.jsonl", Event("e2", "2026-11-01T11:00:00Z") + "\n" + Event("e3", "2026-11-03T11:00:00Z") + "\n");
  auto first = lake.Ingest({(dir / "a.jsonl").string()});
  ASSERT_TRUE(first);
  EXPECT_EQ(first->files[0].stats.duplicates[0], 1);  // e1 twice in a.jsonl
  auto second = lake.Ingest({(dir / "b.jsonl").string()});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->files[0].stats.existing[0], 1);   // e2 already in the lake
  EXPECT_EQ(lake.Count("plays"), 3);
  EXPECT_EQ(lake.Scalar("SELECT count(DISTINCT play_id) FROM plays"), "3");
}

TEST(Ingest, TheSameRecordInTwoFilesOfOneIngestIsOnePlay) {
  // Within one ingest, the second file is checked against the keys the first
  // committed (kept in memory), not against its files.
  TempDir dir;
  TestLake lake(dir / "lake");
  WriteFile(dir / "a.jsonl", Event("e1", "2026-11-01T10:00:00Z") + "\n" + Event("e2", "2026-11-02T11:00:00Z") + "\n");
  WriteFile(dir / "b.jsonl", Event("e2", "2026-11-02T11:00:00Z") + "\n" + Event("e3", "2026-11-03T11:00:00Z") + "\n" +
                                 Event("e3", "2026-11-03T11:00:00Z") + "\n");
  auto both = lake.Ingest({(dir / "a.jsonl").string(), (dir / "b.jsonl").string()});
  ASSERT_TRUE(both);
  ASSERT_EQ(both->files.size(), 2u);
  EXPECT_EQ(both->files[1].stats.existing[0], 1);    // e2, committed by a.jsonl
  EXPECT_EQ(both->files[1].stats.duplicates[0], 1);  // e3 twice in b.jsonl
  EXPECT_EQ(lake.Count("plays"), 3);
  EXPECT_EQ(lake.Scalar("SELECT string_agg(play_id, ',' ORDER BY play_id) FROM plays"), "e1,e2,e3");
}

TEST(Ingest, LateAndOutOfOrderEventsLandInTheirEventDatePartition) {
  TempDir dir;
  TestLake lake(dir / "lake");
  WriteFile(dir / "day3.jsonl", Event("c", "2026-11-03T23:59:59Z") + "\n" +
                                    Event("a", "2026-11-01T00:00:01+01:00") + "\n" +  // Oct 31 UTC
                                    Event("b", "2026-11-02T12:00:00Z") + "\n");
  WriteFile(dir / "late.jsonl", Event("d", "2026-11-01T08:00:00Z") + "\n");
  ASSERT_TRUE(lake.Ingest({(dir / "day3.jsonl").string()}));
  ASSERT_TRUE(lake.Ingest({(dir / "late.jsonl").string()}));
  EXPECT_EQ(lake.Scalar("SELECT string_agg(play_id || '=' || event_date, ',' ORDER BY play_id) FROM plays"),
            "a=2026-10-31,b=2026-11-02,c=2026-11-03,d=2026-11-01");
  auto files = lake.lake().CommittedFiles("silver", "plays");
  ASSERT_TRUE(files);
  for (const auto& file : *files) {
    const std::string& key = file.key;
    const std::string date = key.substr(key.find("event_date=") + 11, 10);
    EXPECT_EQ(lake.Scalar(fmt::format("SELECT count(*) FROM read_parquet('{}') WHERE "
                                      "CAST(event_ts AS DATE) <> DATE '{}'",
                                      lake.lake().storage().Url(key), date)),
              "0");
  }
}

// The planner sizes joins from the view's row estimate, which DuckDB takes from
// the first file of the list (at least 1,000 rows a file); a sorted list starts
// here with the one late play.
TEST(Ingest, SilverViewsEstimateTheirRowsFromATypicalFile) {
  TempDir dir;
  TestLake lake(dir / "lake");
  std::string day;
  for (int i = 0; i < 3000; ++i) day += Event(fmt::format("d{}", i), "2026-11-02T12:00:00Z") + "\n";
  WriteFile(dir / "day.jsonl", day);
  WriteFile(dir / "late.jsonl", Event("late", "2026-11-01T08:00:00Z") + "\n");
  ASSERT_TRUE(lake.Ingest({(dir / "day.jsonl").string()}));
  ASSERT_TRUE(lake.Ingest({(dir / "late.jsonl").string()}));
  const auto explain = lake.Query("EXPLAIN (FORMAT JSON) SELECT * FROM plays");
  ASSERT_EQ(explain.rows.size(), 1u);
  const std::string plan = explain.rows[0].back().value_or("");
  const std::string field = "\"Estimated Cardinality\": \"";
  const auto at = plan.find(field);
  ASSERT_NE(at, std::string::npos) << plan;
  const long estimate = std::stol(plan.substr(at + field.size()));
  // 3,001 plays in 2 files; the late file first says 2,000.
  EXPECT_GE(estimate, 3000) << plan;
  EXPECT_LE(estimate, 6002) << plan;
}

// A reader that fails part way, as when a file vanishes from a network share.
class VanishingFile final : public lake::ReadableFile {
 public:
  explicit VanishingFile(std::unique_ptr<lake::ReadableFile> inner) : inner_(std::move(inner)) {}
  Result<std::size_t> Read(char* buffer, std::size_t n) override {
    if (served_ > 0) return Fail(ErrorCode::kIo, "cannot read: No such file or directory");
    auto got = inner_->Read(buffer, std::min<std::size_t>(n, 100));
    if (got) served_ += *got;
    return got;
  }

 private:
  std::unique_ptr<lake::ReadableFile> inner_;
  std::size_t served_ = 0;
};

TEST(Ingest, AFileThatVanishesMidReadIsRefusedAndOthersLand) {
  TempDir dir;
  TestLake lake(dir / "lake");
  WriteFile(dir / "in" / "a.jsonl", Event("a1", "2026-11-01T10:00:00Z") + "\n");
  WriteFile(dir / "in" / "b.jsonl", Event("b1", "2026-11-01T10:00:00Z") + "\n" + Event("b2", "2026-11-01T10:00:00Z") + "\n");
  IngestRequest request;
  int opens = 0;
  request.open_input = [&](const std::string& path) -> Result<std::unique_ptr<lake::ReadableFile>> {
    auto file = lake::OpenLocalFile(path);
    if (!file || path.find("b.jsonl") == std::string::npos || ++opens < 2) return file;
    return std::unique_ptr<lake::ReadableFile>(std::make_unique<VanishingFile>(std::move(*file)));
  };
  auto report = lake.Ingest({(dir / "in").string()}, "", request);
  ASSERT_TRUE(report);
  ASSERT_EQ(report->files.size(), 2u);
  EXPECT_EQ(report->files[0].outcome, Outcome::kCommitted);
  EXPECT_EQ(report->files[1].outcome, Outcome::kFailed);
  EXPECT_NE(report->files[1].error.find("No such file"), std::string::npos);
  EXPECT_EQ(lake.Count("plays"), 1);
  EXPECT_EQ(lake.ManifestCount(), 2);  // a.jsonl: bronze + silver; nothing of b.jsonl
  // Once the file is readable again, it lands.
  auto retry = lake.Ingest({(dir / "in").string()});
  ASSERT_TRUE(retry);
  EXPECT_EQ(lake.Count("plays"), 3);
}

TEST(Ingest, SilverIsCaughtUpFromBronzeAfterAnInterruptedRun) {
  TempDir dir;
  WriteFile(dir / "a.jsonl", Event("a1", "2026-11-01T10:00:00Z") + "\n");
  {
    TestLake lake(dir / "lake");
    ASSERT_TRUE(lake.Ingest({(dir / "a.jsonl").string()}));
    // Forget silver, as if the process died between the two commits.
    auto entries = lake.lake().Entries("silver");
    ASSERT_TRUE(entries);
    ASSERT_TRUE(lake.lake().storage().Remove(lake::ManifestKey("silver", entries->at(0).batch_id)));
    EXPECT_EQ(lake.Count("plays"), 0);
  }
  TestLake lake(dir / "lake");
  WriteFile(dir / "b.jsonl", Event("b1", "2026-11-01T10:00:00Z") + "\n");
  auto report = lake.Ingest({(dir / "b.jsonl").string()});
  ASSERT_TRUE(report);
  ASSERT_EQ(report->files.size(), 2u);
  EXPECT_EQ(report->files[0].outcome, Outcome::kSilverCaughtUp);
  EXPECT_EQ(lake.Count("plays"), 2);
}

TEST(Ingest, BronzeDecompressesToTheInputByteForByteAcrossManyChunks) {
  TempDir dir;
  // ~13 MB: several read chunks queue up for the background compressor.
  std::string text;
  for (int i = 0; text.size() < (13u << 20); ++i) {
    text += Event(fmt::format("e{}", i), "2026-11-01T10:00:00Z",
                  fmt::format(R"(,"pad":"{}")", std::string(i % 300, 'a' + i % 26))) +
            (i % 7 == 0 ? "\r\n" : "\n");
  }
  text += "no newline at the end";
  WriteFile(dir / "big.jsonl", text);
  TestLake lake(dir / "lake");
  ASSERT_TRUE(lake.Ingest({(dir / "big.jsonl").string()}));
  auto entries = lake.lake().Entries("bronze");
  ASSERT_TRUE(entries);
  ASSERT_EQ(entries->size(), 1u);
  auto raw = lake.lake().storage().Open(entries->at(0).files.at(0).key);
  ASSERT_TRUE(raw);
  lake::ZstdReader reader(std::move(*raw));
  std::string back;
  std::vector<char> buffer(1 << 20);
  while (true) {
    auto n = reader.Read(buffer.data(), buffer.size());
    ASSERT_TRUE(n);
    if (*n == 0) break;
    back.append(buffer.data(), *n);
  }
  EXPECT_EQ(back.size(), text.size());
  EXPECT_TRUE(back == text);
}

}  // namespace
}  // namespace playlake::silver
