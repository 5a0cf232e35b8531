#include "stream/batch_commit.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "stream/stream_test_util.h"
#include "testing/testing.h"

namespace playlake::stream {
namespace {

using playlake::testing::RunPlaylake;
using playlake::testing::TempDir;

// Real plays from the simulator, one message each.
std::vector<std::string> Plays(const TempDir& dir, int events) {
  const auto file = dir / "plays.jsonl";
  const auto out = RunPlaylake("generate --seed 11 --users 20 --quiet --events " +
                               std::to_string(events) + " --out " + file.string());
  EXPECT_EQ(out.exit_code, 0) << out.stderr_text;
  std::vector<std::string> lines;
  std::istringstream in(playlake::testing::ReadFile(file));
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// A scratch lake in `dir`; null (and a failed expectation) when it cannot open.
std::unique_ptr<lake::Lake> OpenLake(const TempDir& dir) {
  auto lake = lake::Lake::OpenLocal(dir / "lake", stream_test::ScratchLake());
  EXPECT_TRUE(lake) << lake.error().message;
  return lake ? std::move(*lake) : nullptr;
}

const CommitterOptions kOptions{"live", sources::Format::kPlaylake, 1, 1, 1};

PartitionBatch Batch(const std::vector<std::string>& plays, std::int64_t first, std::int64_t last) {
  PartitionBatch b{"plays", 0, first, first, last, {}};
  for (std::int64_t o = first; o <= last; ++o) AppendMessage(b.lines, plays[o]);
  return b;
}

TEST(AppendMessage, KeepsOneLinePerMessage) {
  std::string lines;
  AppendMessage(lines, "{\"a\":\n1}");
  AppendMessage(lines, "");
  AppendMessage(lines, "{\"b\":2}\r\n");
  EXPECT_EQ(lines, "{\"a\": 1}\nnull\n{\"b\":2}  \n");
}

// Pages of `buffer` the process holds (mincore).
std::size_t ResidentBytes(const std::string& buffer) {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = reinterpret_cast<std::uintptr_t>(buffer.data()) & ~(page - 1);
  const auto end = reinterpret_cast<std::uintptr_t>(buffer.data()) + buffer.capacity();
  std::vector<unsigned char> pages((end - begin + page - 1) / page);
  EXPECT_EQ(mincore(reinterpret_cast<void*>(begin), end - begin, pages.data()), 0);
  return page * static_cast<std::size_t>(std::count_if(pages.begin(), pages.end(),
                                                       [](unsigned char p) { return p & 1; }));
}

TEST(DropPagesPast, AnEmptiedBufferKeepsItsCapacityAndOnlyThePagesAskedFor) {
  constexpr std::size_t kMiB = 1 << 20;
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::string buffer;
  buffer.reserve(16 * kMiB);
  buffer.assign(16 * kMiB, 'x');
  ASSERT_GE(ResidentBytes(buffer), 16 * kMiB);
  const std::size_t capacity = buffer.capacity();
  buffer.clear();
  DropPagesPast(buffer, 2 * kMiB);
  EXPECT_EQ(buffer.capacity(), capacity);
  EXPECT_GE(ResidentBytes(buffer), 2 * kMiB);
  EXPECT_LE(ResidentBytes(buffer), 2 * kMiB + 2 * page);
  AppendMessage(buffer, "{\"a\":1}");
  DropPagesPast(buffer, 0);  // never its contents
  EXPECT_EQ(buffer, "{\"a\":1}\n");
  EXPECT_LE(ResidentBytes(buffer), 2 * page);
}

// The fence: a batch commits only where the partition's record ends; a
// zombie's batch (a worker with a stale view) is refused and writes nothing.
TEST(BatchCommitter, RefusesABatchThatDoesNotStartWhereTheRecordEnds) {
  TempDir dir;
  const auto plays = Plays(dir, 40);
  ASSERT_GE(plays.size(), 40u);
  auto lake = OpenLake(dir);
  ASSERT_TRUE(lake);
  BatchCommitter worker(*lake, kOptions);
  BatchCommitter zombie(*lake, kOptions);
  ASSERT_TRUE(zombie.Refresh());  // the zombie looked at the lake before the worker committed

  auto first = worker.Commit(Batch(plays, 0, 9));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->outcome, CommitOutcome::kCommitted);
  EXPECT_EQ(first->stats.written[0], 10);

  auto overlapping = zombie.Commit(Batch(plays, 5, 14));
  ASSERT_TRUE(overlapping) << overlapping.error().message;
  EXPECT_EQ(overlapping->outcome, CommitOutcome::kRefused);
  EXPECT_NE(overlapping->why.find("must start at 10"), std::string::npos) << overlapping->why;
  auto again = zombie.Commit(Batch(plays, 0, 9));
  ASSERT_TRUE(again);
  EXPECT_EQ(again->outcome, CommitOutcome::kAlreadyCommitted);
  auto skipping = zombie.Commit(Batch(plays, 12, 20));
  ASSERT_TRUE(skipping);
  EXPECT_EQ(skipping->outcome, CommitOutcome::kRefused);

  auto next = zombie.Commit(Batch(plays, 10, 39));
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->outcome, CommitOutcome::kCommitted);
  // Only the two accepted batches are in either layer.
  for (const char* layer : {"bronze", "silver"}) {
    EXPECT_EQ(
        stream_test::CheckExactlyOnce(stream_test::CommittedRanges(dir / "lake", layer), {{0, 40}}),
        "")
        << layer;
  }
}

// Offsets that came with no message: only those below the brokers' low
// watermark were deleted; an unknown watermark counts them all as deleted.
TEST(DeletedUntil, OnlyOffsetsBelowTheLowWatermarkWereDeleted) {
  EXPECT_EQ(DeletedUntil(100, 200, 0), 100);    // the brokers hold all: markers, compaction
  EXPECT_EQ(DeletedUntil(100, 200, 100), 100);  // the first of them is the low watermark
  EXPECT_EQ(DeletedUntil(100, 200, 150), 150);  // 100..149 deleted, 150..199 hold no message
  EXPECT_EQ(DeletedUntil(100, 200, 200), 200);  // all deleted
  EXPECT_EQ(DeletedUntil(100, 200, 260), 200);  // deleted since (never past the message read)
  EXPECT_EQ(DeletedUntil(100, 200, -1), 200);   // not known: counted as lost, never passed over
}

// A batch whose offsets hold no message in places (transaction markers,
// compaction) keeps them as empty lines: silver skips them, an invalid
// message's quarantine row still names its offset, and no offset is taken
// as deleted; a deleted range before lines_offset is one quarantine row.
TEST(BatchCommitter, OffsetsWithNoMessageAreEmptyLinesNotLosses) {
  TempDir dir;
  auto lake = OpenLake(dir);
  ASSERT_TRUE(lake);
  BatchCommitter committer(*lake, kOptions);
  ASSERT_TRUE(committer.Refresh());
  const auto plays = Plays(dir, 20);
  ASSERT_GE(plays.size(), 20u);

  // Offsets 0..7: 0 and 3 hold no message (a marker before the first
  // message, one in the middle), 6 is not an event.
  PartitionBatch a{"plays", 0, 0, 0, 7, {}};
  AppendEmptyOffsets(a, 1);
  for (int o : {1, 2}) AppendMessage(a.lines, plays[o]);
  AppendEmptyOffsets(a, 1);
  for (int o : {4, 5}) AppendMessage(a.lines, plays[o]);
  AppendMessage(a.lines, "not json");
  AppendMessage(a.lines, plays[7]);
  EXPECT_EQ(a.messages(), 6);
  auto first = committer.Commit(a);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_EQ(first->outcome, CommitOutcome::kCommitted);
  EXPECT_EQ(first->stats.written[0], 5);

  // Offsets 8..14: the brokers deleted 8..9, 10..11 hold no message.
  PartitionBatch b{"plays", 0, 8, 10, 14, {}};
  AppendEmptyOffsets(b, 2);
  for (int o = 12; o <= 14; ++o) AppendMessage(b.lines, plays[o]);
  auto second = committer.Commit(b);
  ASSERT_TRUE(second) << second.error().message;
  ASSERT_EQ(second->outcome, CommitOutcome::kCommitted);
  EXPECT_EQ(second->stats.written[0], 3);
  EXPECT_EQ(committer.record().Next("plays", 0), 15);

  const auto rows = RunPlaylake("sql --format csv --lake " + (dir / "lake").string() +
                                " \"select reason, line from quarantine order by line\"");
  ASSERT_EQ(rows.exit_code, 0) << rows.stderr_text;
  EXPECT_EQ(stream_test::Lines(rows.stdout_text),
            (std::vector<std::string>{"reason,line", "not_an_object,6", "deleted_by_broker,8"}));
  const auto count = RunPlaylake("sql --format csv --lake " + (dir / "lake").string() +
                                 " \"select count(*) from plays\"");
  EXPECT_EQ(stream_test::Lines(count.stdout_text), (std::vector<std::string>{"count_star()", "8"}));
}

// Dedupe keys are read back per event day within a byte budget: with a
// budget too small for two days, every batch touching several days drops
// and reads days again. A play re-sent in a later batch (a producer retry),
// whatever its day, is never committed twice: within the process, across
// those evictions, and after a restart.
TEST(BatchCommitter, ResentPlaysCommitOnceAcrossDaysEvictionsAndRestarts) {
  TempDir dir;
  const auto plays = Plays(dir, 300);  // over the generator's 7 days
  ASSERT_GE(plays.size(), 300u);
  auto lake = OpenLake(dir);
  ASSERT_TRUE(lake);
  CommitterOptions small = kOptions;
  small.key_budget_bytes = 1;  // only the day being looked up stays loaded
  // Offsets 0..299 are the plays; then each later batch re-sends some of them.
  std::vector<std::string> topic(plays.begin(), plays.begin() + 300);
  const auto resend = [&](int from, int to, int step) {
    for (int i = from; i < to; i += step) topic.push_back(plays[i]);
  };
  {
    BatchCommitter committer(*lake, small);
    ASSERT_TRUE(committer.Refresh());
    for (std::int64_t first : {0, 100, 200}) {
      auto r = committer.Commit(Batch(topic, first, first + 99));
      ASSERT_TRUE(r) << r.error().message;
      ASSERT_EQ(r->outcome, CommitOutcome::kCommitted);
      EXPECT_EQ(r->stats.written[0], 100);
    }
    resend(0, 300, 7);  // offsets 300..342: every day, nothing new
    auto again = committer.Commit(Batch(topic, 300, static_cast<std::int64_t>(topic.size()) - 1));
    ASSERT_TRUE(again) << again.error().message;
    ASSERT_EQ(again->outcome, CommitOutcome::kCommitted);
    EXPECT_EQ(again->stats.written[0], 0);
    EXPECT_EQ(again->stats.existing[0], 43);
    ASSERT_NE(committer.keys(), nullptr);
    EXPECT_GT(committer.keys()->loads(), 0);      // days were read back from their files
    EXPECT_GT(committer.keys()->evictions(), 0);  // and dropped for the budget
  }
  // A new worker (a restart) reads the committed days from the files.
  const auto before = static_cast<std::int64_t>(topic.size());
  resend(1, 300, 5);
  BatchCommitter restarted(*lake, small);
  ASSERT_TRUE(restarted.Refresh());
  auto after = restarted.Commit(Batch(topic, before, static_cast<std::int64_t>(topic.size()) - 1));
  ASSERT_TRUE(after) << after.error().message;
  ASSERT_EQ(after->outcome, CommitOutcome::kCommitted);
  EXPECT_EQ(after->stats.written[0], 0);
  EXPECT_EQ(after->stats.existing[0], 60);

  const auto rows = RunPlaylake("sql --format csv --lake " + (dir / "lake").string() +
                                " \"select count(*), count(distinct play_id), "
                                "count(distinct event_date) > 2 from plays\"");
  ASSERT_EQ(rows.exit_code, 0) << rows.stderr_text;
  EXPECT_EQ(stream_test::Lines(rows.stdout_text).back(), "300,300,true");
}

// With the default budget, every day stays loaded: a day's committed files
// are probed once for a batch's few keys, read once at its next batch, and
// never again; a re-sent play is dropped every time.
TEST(BatchCommitter, KeysOfCommittedDaysStayLoadedWithinTheBudget) {
  TempDir dir;
  const auto plays = Plays(dir, 200);
  ASSERT_GE(plays.size(), 200u);
  auto lake = OpenLake(dir);
  ASSERT_TRUE(lake);
  {  // an earlier worker committed 0..99
    BatchCommitter earlier(*lake, kOptions);
    auto r = earlier.Commit(Batch(plays, 0, 99));
    ASSERT_TRUE(r) << r.error().message;
  }
  BatchCommitter committer(*lake, kOptions);
  ASSERT_TRUE(committer.Refresh());
  std::vector<std::string> topic(plays.begin(), plays.begin() + 200);
  auto a = committer.Commit(Batch(topic, 100, 199));
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->stats.written[0], 100);
  // Re-sent plays of every day, three times.
  std::int64_t first = 200;
  auto resend = [&](int from) {
    for (int i = from; i < 200; i += 3) topic.push_back(plays[i]);
    auto r = committer.Commit(Batch(topic, first, static_cast<std::int64_t>(topic.size()) - 1));
    first = static_cast<std::int64_t>(topic.size());
    return r;
  };
  for (int from : {0, 1}) {
    auto r = resend(from);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->stats.written[0], 0);
    EXPECT_EQ(r->stats.existing[0], 67);
  }
  const auto loads = committer.keys()->loads();
  const auto probes = committer.keys()->probes();
  EXPECT_GT(loads, 0);
  EXPECT_GT(probes, 0);
  auto d = resend(2);
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->stats.written[0], 0);
  EXPECT_EQ(d->stats.existing[0], 66);
  EXPECT_EQ(committer.keys()->loads(), loads);  // no file read again
  EXPECT_EQ(committer.keys()->probes(), probes);
  EXPECT_EQ(committer.keys()->evictions(), 0);
}

// Plays another writer committed (here a worker of another partition) after
// this one read their day are dropped too: the day's keys are read again
// with the new files.
TEST(BatchCommitter, PlaysAnotherWriterCommittedAreDroppedToo) {
  TempDir dir;
  const auto plays = Plays(dir, 100);
  ASSERT_GE(plays.size(), 100u);
  auto lake = OpenLake(dir);
  ASSERT_TRUE(lake);
  BatchCommitter mine(*lake, kOptions);
  BatchCommitter other(*lake, kOptions);
  auto a = mine.Commit(Batch(plays, 0, 49));  // reads (and keeps) the days of 0..49
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->stats.written[0], 50);
  PartitionBatch theirs{"plays", 1, 0, 0, 49, {}};
  for (int i = 50; i < 100; ++i) AppendMessage(theirs.lines, plays[i]);
  auto b = other.Commit(theirs);
  ASSERT_TRUE(b) << b.error().message;
  EXPECT_EQ(b->stats.written[0], 50);
  // Partition 0 now carries all 100 again (a producer's retries).
  std::vector<std::string> topic(plays.begin(), plays.begin() + 50);
  topic.insert(topic.end(), plays.begin(), plays.begin() + 100);
  auto c = mine.Commit(Batch(topic, 50, 149));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->stats.written[0], 0);
  EXPECT_EQ(c->stats.existing[0], 100);
}

// One committer reuses its writer thread, NDJSON buffer and row batches from
// batch to batch: batches of very different sizes, and one whose Parquet
// write failed, leave nothing behind in the next. Silver ends up with the
// same plays, value for value, as an ingest of the same lines.
TEST(BatchCommitter, ConsecutiveBatchesLandExactlyTheirOwnRows) {
  TempDir dir;
  const auto plays = Plays(dir, 600);
  ASSERT_GE(plays.size(), 600u);
  auto lake = OpenLake(dir);
  ASSERT_TRUE(lake);
  BatchCommitter committer(*lake, kOptions);
  ASSERT_TRUE(committer.Refresh());
  std::int64_t written = 0;
  const auto commit = [&](std::int64_t first, std::int64_t last) {
    auto r = committer.Commit(Batch(plays, first, last));
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_EQ(r->outcome, CommitOutcome::kCommitted);
    written += r->stats.written[0];
  };
  commit(0, 399);
  commit(400, 402);
  // Every day's folder is a file (the days that have one are moved aside):
  // the writer thread fails to write the next batch.
  const auto days = dir / "lake" / "silver" / "plays";
  for (const auto& entry : std::filesystem::directory_iterator(days)) {
    if (entry.is_directory()) std::filesystem::rename(entry.path(), entry.path().string() + ".aside");
  }
  std::vector<std::filesystem::path> blockers;
  for (int d = 1; d <= 31; ++d) {
    blockers.push_back(days / fmt::format("event_date=2026-01-{:02d}", d));
    std::ofstream(blockers.back()) << "not a folder";
  }
  auto failed = committer.Commit(Batch(plays, 403, 599));
  ASSERT_FALSE(failed);
  for (const auto& b : blockers) std::filesystem::remove(b);
  for (const auto& entry : std::filesystem::directory_iterator(days)) {
    const std::string path = entry.path().string();
    if (path.ends_with(".aside")) std::filesystem::rename(path, path.substr(0, path.size() - 6));
  }
  commit(403, 599);  // the same batch again: its bronze is there, silver now lands
  EXPECT_EQ(written, 600);

  const auto file = dir / "plays-again.jsonl";
  std::string text;
  for (int i = 0; i < 600; ++i) text += plays[i] + "\n";
  std::ofstream(file) << text;
  const auto ingested = RunPlaylake("ingest " + file.string() + " --lake " + (dir / "ingested").string());
  ASSERT_EQ(ingested.exit_code, 0) << ingested.stderr_text;
  const std::string query =
      "\"select count(*), count(distinct play_id), md5(string_agg(concat_ws('|', play_id, event_ts, "
      "user_id, session_id, track_id, track_name, artist_name, album_name, ms_played, duration_ms, "
      "country, region, city, timezone, device, platform, level, reason_start, reason_end, shuffle, "
      "skipped, offline), ',' order by play_id)) from plays\"";
  const auto streamed = RunPlaylake("sql --format csv --lake " + (dir / "lake").string() + " " + query);
  ASSERT_EQ(streamed.exit_code, 0) << streamed.stderr_text;
  const auto expected = RunPlaylake("sql --format csv --lake " + (dir / "ingested").string() + " " + query);
  ASSERT_EQ(expected.exit_code, 0) << expected.stderr_text;
  EXPECT_TRUE(stream_test::Lines(streamed.stdout_text).back().starts_with("600,600,"));
  EXPECT_EQ(stream_test::Lines(streamed.stdout_text).back(),
            stream_test::Lines(expected.stdout_text).back());
}

}  // namespace
}  // namespace playlake::stream
