// Compaction on real files: stream batches committed through the real
// protocol, `playlake compact` / `sql` / `run` / `vacuum` as real processes,
// and `playlake stream` against the test broker with its background compactor.
#include "stream/compactor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "stream/batch_commit.h"
#include "stream/mock_broker.h"
#include "stream/stream_test_util.h"
#include "testing/testing.h"
#include "warehouse/duckdb.h"

namespace playlake::stream {
namespace {

namespace fs = std::filesystem;
using playlake::testing::Background;
using playlake::testing::ReadFile;
using playlake::testing::RunPlaylake;
using playlake::testing::TempDir;
using namespace playlake::stream_test;

// Real plays from the simulator, one message each.
std::vector<std::string> Plays(const fs::path& dir, int events, int seed) {
  const auto file = dir / "plays.jsonl";
  const auto out = RunPlaylake(
      "generate --quiet --users 30 --start 2026-03-01 --end 2026-03-02 --seed " +
      std::to_string(seed) + " --events " + std::to_string(events) + " --out " + file.string());
  EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
  return Lines(ReadFile(file));
}

// Commits plays[from, to) as stream batches of `per_batch` messages through
// the real commit protocol: play i goes to partition i % 3, at the next
// offset of that partition (`next` carries them from call to call).
void CommitAsStream(const fs::path& lake_root, const std::vector<std::string>& plays,
                    std::size_t from, std::size_t to, int per_batch,
                    std::map<int, std::int64_t>& next) {
  ASSERT_LE(to, plays.size()) << "fewer plays than asked for: did generating them fail?";
  auto lake = lake::Lake::OpenLocal(lake_root, ScratchLake());
  ASSERT_TRUE(lake) << lake.error().message;
  BatchCommitter committer(**lake, {"live", sources::Format::kPlaylake, 1, 1, 1});
  ASSERT_TRUE(committer.Refresh());
  std::map<int, PartitionBatch> open;
  auto flush = [&](PartitionBatch& b) {
    if (b.last_offset < b.first_offset) return;
    auto done = committer.Commit(b);
    ASSERT_TRUE(done) << done.error().message;
    ASSERT_EQ(done->outcome, CommitOutcome::kCommitted) << done->why;
    next[b.partition] = b.last_offset + 1;
  };
  for (std::size_t i = from; i < to; ++i) {
    const int p = static_cast<int>(i % 3);
    auto& b = open[p];
    if (b.last_offset < b.first_offset) {
      b = PartitionBatch{"plays", p, next[p], next[p], next[p] - 1, {}};
    }
    AppendMessage(b.lines, plays[i]);
    ++b.last_offset;
    if (b.messages() == per_batch) {
      flush(b);
      b = PartitionBatch{"plays", p, 0, 0, -1, {}};
    }
  }
  for (auto& [p, b] : open) flush(b);
}

// Committed silver files readers use, and the Parquet files on disk.
std::size_t LiveFileCount(const fs::path& lake_root) {
  auto lake = lake::Lake::OpenLocal(lake_root, ScratchLake());
  auto entries = (*lake)->Entries("silver");
  return entries ? lake::LiveFiles(*entries).size() : 0;
}
std::size_t ParquetFilesOnDisk(const fs::path& lake_root) {
  std::size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(lake_root / "silver")) {
    if (e.path().extension() == ".parquet") ++n;
  }
  return n;
}

// Everything silver holds, row by row, and the offsets on record.
struct Snapshot {
  std::vector<std::string> plays, quarantine;
  Ranges ranges;
  bool operator==(const Snapshot&) const = default;
};
Snapshot SnapshotOf(const fs::path& project) {
  return {SqlRows(project, "select * from plays order by play_id"),
          SqlRows(project, "select * from quarantine order by all"),
          CommittedRanges(project / "lake", "silver")};
}

// A project with a Kafka source (no broker needed for sql, compact, run) and
// `events` plays committed as 3-partition stream batches of 25 messages.
struct StreamedProject {
  TempDir dir;
  fs::path project = dir / "project";
  std::vector<std::string> plays;
  std::map<int, std::int64_t> next;
  explicit StreamedProject(int events, std::size_t committed) {
    plays = Plays(dir.path(), events, 7);
    WriteKafkaProject(project, "127.0.0.1:9", "plays", "g");
    CommitAsStream(project / "lake", plays, 0, committed, 25, next);
  }
};

// Rows of `playlake sql --gold` (the warehouse's gold tables) in `project`.
std::vector<std::string> GoldRows(const fs::path& project, const std::string& query) {
  const auto out =
      RunPlaylake("sql --gold --format csv --project " + project.string() + " \"" + query + "\"");
  EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
  return Lines(out.stdout_text);
}

lake::ManifestEntry Entry(const std::string& id, std::vector<lake::DataFile> files,
                          std::vector<std::string> replaces = {}) {
  lake::ManifestEntry e;
  e.layer = "silver";
  e.batch_id = id;
  e.files = std::move(files);
  e.replaces = std::move(replaces);
  return e;
}

lake::DataFile File(const std::string& key, std::uint64_t bytes) {
  return {"plays", key, 10, bytes};
}

TEST(PlanCompactions, CutsSmallLiveFilesOfAPartitionIntoRunsOfAboutTheTarget) {
  CompactOptions options;
  options.target_bytes = 1000;
  options.min_files = 3;
  const std::string day1 = "silver/plays/event_date=2026-01-01/";
  const std::string day2 = "silver/plays/event_date=2026-01-02/";
  // Small: under 250 bytes. Day 1 has six small files and a large one; day 2
  // had two, which an earlier compaction replaced by one: too few either way.
  const std::vector<lake::ManifestEntry> entries = {
      Entry("a", {File(day1 + "a", 240), File(day2 + "a", 100)}),
      Entry("b", {File(day1 + "b", 240), File(day2 + "b", 100)}),
      Entry("c", {File(day1 + "c", 240), File(day1 + "big", 900)}),
      Entry("d", {File(day1 + "d", 240)}),
      Entry("e", {File(day1 + "e", 240)}),
      Entry("f", {File(day1 + "f", 200)}),
      Entry("g", {File(day2 + "ab", 150)}, {day2 + "a", day2 + "b"}),
  };
  const auto plans = PlanCompactions(lake::LiveFiles(entries), options);
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].folder, day1.substr(0, day1.size() - 1));
  EXPECT_EQ(plans[0].table, "plays");
  // a..d (960 bytes: a fifth would pass 1000), then e and f; big stays as it is.
  ASSERT_EQ(plans[0].runs.size(), 2u);
  EXPECT_EQ(plans[0].runs[0].size(), 4u);
  ASSERT_EQ(plans[0].runs[1].size(), 2u);
  EXPECT_EQ(plans[0].runs[1][0].key, day1 + "e");
  EXPECT_EQ(plans[0].files(), 6);
  EXPECT_EQ(CompactionBatchId({"x", "y"}), CompactionBatchId({"y", "x"}));
  EXPECT_NE(CompactionBatchId({"x", "y"}), CompactionBatchId({"x"}));
}

// Same rows, same (partition, offset) record, far fewer files; the fence still
// takes the next batch and refuses a zombie's; a second run has nothing to do;
// vacuum then removes the replaced files and nothing else.
TEST(CompactCommand, KeepsRowsAndOffsetsAndTheFenceWithFewerFiles) {
  StreamedProject s(1500, 1500);
  const Snapshot before = SnapshotOf(s.project);
  ASSERT_EQ(before.plays.size(), 1500u);
  const std::size_t files_before = LiveFileCount(s.project / "lake");

  const auto out = RunPlaylake("compact --min-files 2 --project " + s.project.string());
  ASSERT_EQ(out.exit_code, 0) << out.stderr_text;
  EXPECT_NE(out.stdout_text.find("compacted "), std::string::npos) << out.stdout_text;
  const std::size_t files_after = LiveFileCount(s.project / "lake");
  EXPECT_LT(files_after * 5, files_before) << files_before << " → " << files_after;
  EXPECT_EQ(SnapshotOf(s.project), before);
  EXPECT_EQ(CheckExactlyOnce(before.ranges, s.next), "");

  const auto again = RunPlaylake("compact --min-files 2 --project " + s.project.string());
  ASSERT_EQ(again.exit_code, 0) << again.stderr_text;
  EXPECT_NE(again.stdout_text.find("nothing to compact"), std::string::npos) << again.stdout_text;

  // The fence after compaction: a zombie's batch is refused, the next one lands.
  auto lake = lake::Lake::OpenLocal(s.project / "lake", ScratchLake());
  ASSERT_TRUE(lake);
  BatchCommitter zombie(**lake, {"live", sources::Format::kPlaylake, 1, 1, 1});
  PartitionBatch stale{"plays", 0, 100, 100, 109, {}};
  for (int i = 0; i < 10; ++i) AppendMessage(stale.lines, s.plays[i]);
  auto refused = zombie.Commit(stale);
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_EQ(refused->outcome, CommitOutcome::kRefused);
  fs::create_directories(s.dir / "more");
  const auto more = Plays(s.dir / "more", 30, 99);
  std::map<int, std::int64_t> next = s.next;
  CommitAsStream(s.project / "lake", more, 0, more.size(), 25, next);
  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(s.project / "lake", "silver"), next), "");
  EXPECT_EQ(SqlRows(s.project, "select count(*), count(distinct play_id) from plays"),
            std::vector<std::string>{"1530,1530"});

  const std::size_t on_disk = ParquetFilesOnDisk(s.project / "lake");
  const auto vacuum = RunPlaylake("vacuum --older-than 0 --project " + s.project.string());
  ASSERT_EQ(vacuum.exit_code, 0) << vacuum.stderr_text;
  EXPECT_NE(vacuum.stdout_text.find("replaced by compaction"), std::string::npos)
      << vacuum.stdout_text;
  EXPECT_EQ(ParquetFilesOnDisk(s.project / "lake"), LiveFileCount(s.project / "lake"));
  EXPECT_LT(ParquetFilesOnDisk(s.project / "lake"), on_disk);
  EXPECT_EQ(SqlRows(s.project, "select count(*), count(distinct play_id) from plays"),
            std::vector<std::string>{"1530,1530"});
}

// Two compactors over the same files (the stream's pass and a `playlake
// compact`): the one that planned before the other committed loses cleanly.
TEST(Compactor, AStalePlanLosesToACompactionThatReplacedItsFiles) {
  StreamedProject s(600, 600);
  auto lake = lake::Lake::OpenLocal(s.project / "lake", ScratchLake());
  ASSERT_TRUE(lake);
  CompactOptions options;
  options.min_files = 2;
  auto entries = (*lake)->Entries("silver");
  ASSERT_TRUE(entries);
  const auto stale = PlanCompactions(lake::LiveFiles(*entries), options);
  ASSERT_FALSE(stale.empty());
  // More batches of the same days, then a compaction that plans them too.
  fs::create_directories(s.dir / "more");
  const auto more = Plays(s.dir / "more", 60, 99);
  CommitAsStream(s.project / "lake", more, 0, more.size(), 25, s.next);
  Compactor first(**lake, options);
  auto done = first.Run();
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->partitions, static_cast<std::int64_t>(stale.size()));
  const Snapshot after = SnapshotOf(s.project);
  EXPECT_EQ(after.plays.size(), 660u);
  const std::size_t on_disk = ParquetFilesOnDisk(s.project / "lake");

  Compactor late(**lake, options);
  for (const auto& plan : stale) {
    auto lost = late.Compact(plan);
    ASSERT_TRUE(lost) << lost.error().message;
    EXPECT_FALSE(lost->committed) << plan.folder;
  }
  EXPECT_EQ(SnapshotOf(s.project), after);
  EXPECT_EQ(ParquetFilesOnDisk(s.project / "lake"), on_disk);  // its files are gone
}

// The schema fingerprint of a Parquet file's columns as DuckDB reads them.
std::string FingerprintOfFile(const std::string& url) {
  auto db = warehouse::Database::Open(":memory:");
  EXPECT_TRUE(db);
  auto conn = (*db)->Connect();
  EXPECT_TRUE(conn);
  auto columns = (*conn)->Query(
      "SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" +
      warehouse::QuoteLiteral(url) + ", hive_partitioning = false))");
  EXPECT_TRUE(columns) << columns.error().message;
  if (!columns) return "";
  lake::FileColumns file_columns;
  for (const auto& row : columns->rows) file_columns.emplace_back(*row[0], *row[1]);
  return lake::SchemaFingerprint(file_columns);
}

// Stream batches record each file's schema fingerprint; a merged file has
// its run's when the run's files share one, and none (read its footer) when
// one of them is unknown (written by an older playlake).
TEST(Compactor, AMergedFileHasItsFilesSchemaFingerprintOnlyWhenTheyShareOne) {
  StreamedProject s(300, 300);
  auto lake = lake::Lake::OpenLocal(s.project / "lake", ScratchLake());
  ASSERT_TRUE(lake);
  auto entries = (*lake)->Entries("silver");
  ASSERT_TRUE(entries);
  for (const auto& f : lake::LiveFiles(*entries)) {
    EXPECT_EQ(f.schema, FingerprintOfFile((*lake)->storage().Url(f.key))) << f.key;
  }
  CompactOptions options;
  options.min_files = 2;
  const auto plans = PlanCompactions(lake::LiveFiles(*entries), options);
  ASSERT_FALSE(plans.empty());
  std::vector<lake::DataFile> files;
  for (const auto& run : plans[0].runs) files.insert(files.end(), run.begin(), run.end());
  ASSERT_GE(files.size(), 4u) << plans[0].folder;
  const std::string schema = files[0].schema;
  ASSERT_FALSE(schema.empty());
  CompactionPlan plan{plans[0].table, plans[0].folder, {}};
  plan.runs.emplace_back(files.begin(), files.begin() + 2);
  plan.runs.emplace_back(files.begin() + 2, files.end());
  plan.runs[1][1].schema.clear();

  Compactor compactor(**lake, options);
  auto done = compactor.Compact(plan);
  ASSERT_TRUE(done) << done.error().message;
  ASSERT_TRUE(done->committed);
  auto entry = (*lake)->Find("silver", done->batch_id);
  ASSERT_TRUE(entry);
  ASSERT_TRUE(entry->has_value());
  const auto& merged = (*entry)->files;
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].schema, schema);
  EXPECT_EQ(FingerprintOfFile((*lake)->storage().Url(merged[0].key)), schema);
  EXPECT_EQ(merged[1].schema, "");
  EXPECT_EQ(FingerprintOfFile((*lake)->storage().Url(merged[1].key)), schema);
  EXPECT_EQ(SqlRows(s.project, "select count(*), count(distinct play_id) from plays"),
            std::vector<std::string>{"300,300"});
}

// kill -9 at each step of a compaction, then a re-run: the lake is as before
// the kill or as after a clean compaction, and vacuum leaves no stray file.
TEST(CompactCommand, KilledAtEachStepThenRerunIsACleanCompaction) {
  StreamedProject s(600, 600);
  const Snapshot before = SnapshotOf(s.project);
  const fs::path clean = s.dir / "clean";
  fs::copy(s.project, clean, fs::copy_options::recursive);
  ASSERT_EQ(RunPlaylake("compact --min-files 2 --project " + clean.string()).exit_code, 0);
  const std::size_t clean_files = LiveFileCount(clean / "lake");

  for (const char* step : {"compact-written", "compact-synced", "compact-committed"}) {
    SCOPED_TRACE(step);
    const fs::path copy = s.dir / step;
    fs::copy(s.project, copy, fs::copy_options::recursive);
    const auto killed = RunPlaylake("compact --min-files 2 --crash-at " + std::string(step) +
                                    " --project " + copy.string());
    EXPECT_EQ(killed.exit_code, 128 + SIGKILL) << killed.stderr_text;
    EXPECT_EQ(SnapshotOf(copy), before);
    const auto rerun = RunPlaylake("compact --min-files 2 --project " + copy.string());
    ASSERT_EQ(rerun.exit_code, 0) << rerun.stderr_text;
    EXPECT_EQ(SnapshotOf(copy), before);
    EXPECT_EQ(LiveFileCount(copy / "lake"), clean_files);
    ASSERT_EQ(RunPlaylake("vacuum --older-than 0 --project " + copy.string()).exit_code, 0);
    EXPECT_EQ(ParquetFilesOnDisk(copy / "lake"), clean_files);
    EXPECT_EQ(SnapshotOf(copy), before);
  }
}

// Readers during a compaction: every `playlake sql` sees the same counts.
TEST(CompactCommand, SqlCountsNeverChangeWhileItRuns) {
  StreamedProject s(3000, 3000);
  const std::string query =
      "select count(*), count(distinct play_id), sum(ms_played), count(distinct batch_id) from "
      "plays";
  const auto before = SqlRows(s.project, query);
  ASSERT_EQ(before.size(), 1u);
  std::atomic<bool> done = false;
  int exit_code = -1;
  std::thread compact([&] {
    exit_code =
        RunPlaylake("compact --min-files 2 --target-bytes 1048576 --project " + s.project.string())
            .exit_code;
    done = true;
  });
  int during = 0;
  while (!done) {
    EXPECT_EQ(SqlRows(s.project, query), before);
    ++during;
  }
  compact.join();
  EXPECT_EQ(exit_code, 0);
  EXPECT_GE(during, 1);
  EXPECT_EQ(SqlRows(s.project, query), before);
}

// Gold built incrementally across a compaction equals a full refresh.
TEST(CompactCommand, IncrementalGoldAfterCompactionEqualsAFullRefresh) {
  StreamedProject s(1200, 700);
  const auto first = RunPlaylake("run --project " + s.project.string());
  ASSERT_EQ(first.exit_code, 0) << first.stderr_text;
  CommitAsStream(s.project / "lake", s.plays, 700, 1200, 25, s.next);
  const auto compacted = RunPlaylake("compact --min-files 2 --project " + s.project.string());
  ASSERT_EQ(compacted.exit_code, 0) << compacted.stderr_text;
  ASSERT_NE(compacted.stdout_text.find("compacted "), std::string::npos) << compacted.stdout_text;
  const auto second = RunPlaylake("run --project " + s.project.string());
  ASSERT_EQ(second.exit_code, 0) << second.stderr_text;

  const fs::path full = s.dir / "full";
  fs::copy(s.project, full, fs::copy_options::recursive);
  const auto refresh = RunPlaylake("run --full-refresh --project " + full.string());
  ASSERT_EQ(refresh.exit_code, 0) << refresh.stderr_text;
  EXPECT_EQ(GoldRows(s.project, "select count(*) as n from fct_plays"),
            (std::vector<std::string>{"n", "1200"}));
  for (const char* table : {"fct_plays", "int_tracks_played", "int_sessions", "agg_track_days",
                            "agg_listener_days", "dim_regions", "dim_devices"}) {
    const std::string rows =
        std::string("select columns(c -> c <> 'loaded_at') from ") + table + " order by all";
    const auto incremental = GoldRows(s.project, rows);
    EXPECT_GT(incremental.size(), 1u) << table;
    EXPECT_EQ(incremental, GoldRows(full, rows)) << table;
  }
}

// `playlake stream` compacts in the background while it commits: every
// produced offset once, every play once, fewer files than batches, and a
// zombie's batch still refused afterwards.
TEST(StreamCompaction, TheStreamKeepsCommittingWhileItCompacts) {
  auto broker = MockBroker::Start({{"plays", 3}});
  ASSERT_TRUE(broker) << broker.error().message;
  TempDir dir;
  const auto project = dir / "project";
  WriteKafkaProject(project, (*broker)->bootstrap(), "plays", "g1", 100);
  std::ofstream(project / "playlake.yml", std::ios::app) << "      compact_min_files: 3\n";
  Background stream({"stream", "--project", project.string()}, dir / "stream.log");
  const auto produced = RunPlaylake(
      "generate --quiet --users 30 --seed 4 --events 3000 --rate 600 --realtime --kafka " +
      (*broker)->bootstrap() + " --topic plays");
  ASSERT_EQ(produced.exit_code, 0) << produced.stderr_text;
  const auto ends = EndOffsets((*broker)->bootstrap(), "plays");
  EXPECT_TRUE(WaitForOffsets(project / "lake", ends, 60)) << stream.log();
  // A last pass after the last batches (passes run every second here).
  std::this_thread::sleep_for(std::chrono::seconds(3));
  EXPECT_EQ(stream.Stop(), 0) << stream.log();

  EXPECT_EQ(CheckExactlyOnce(CommittedRanges(project / "lake", "silver"), ends), "");
  EXPECT_EQ(SqlRows(project, "select count(*), count(distinct play_id) from plays"),
            std::vector<std::string>{"3000,3000"});
  auto lake = lake::Lake::OpenLocal(project / "lake", ScratchLake());
  ASSERT_TRUE(lake);
  auto entries = (*lake)->Entries("silver");
  ASSERT_TRUE(entries);
  std::size_t batches = 0, compactions = 0;
  for (const auto& e : *entries) (e.replaces.empty() ? batches : compactions) += 1;
  EXPECT_GT(compactions, 0u) << stream.log();
  EXPECT_LT(lake::LiveFiles(*entries).size(), batches) << stream.log();
  EXPECT_NE(stream.log().find("compacted "), std::string::npos) << stream.log();
  // A batch's Parquet is written uncompressed; the compactor's files are zstd.
  std::string urls;
  std::vector<std::string> codecs;  // "url,codec", as the query below lists them
  for (const auto& e : *entries) {
    for (const auto& f : e.files) {
      const std::string url = (*lake)->storage().Url(f.key);
      urls += (urls.empty() ? "'" : ", '") + url + "'";
      codecs.push_back(url + (e.replaces.empty() ? ",UNCOMPRESSED" : ",ZSTD"));
    }
  }
  std::sort(codecs.begin(), codecs.end());
  EXPECT_EQ(SqlRows(project, "select distinct file_name, compression from parquet_metadata([" +
                                 urls + "]) order by all"),
            codecs);

  BatchCommitter zombie(**lake, {"live", sources::Format::kPlaylake, 1, 1, 1});
  PartitionBatch stale{"plays", 1, 5, 5, 5, {}};
  AppendMessage(stale.lines, "{}");
  auto refused = zombie.Commit(stale);
  ASSERT_TRUE(refused) << refused.error().message;
  EXPECT_EQ(refused->outcome, CommitOutcome::kRefused);
}

}  // namespace
}  // namespace playlake::stream
