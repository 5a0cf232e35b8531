#include "stream/batch_commit.h"

#include <gtest/gtest.h>

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

// The fence: a batch commits only where the partition's record ends; a
// zombie's batch (a worker with a stale view) is refused and writes nothing.
TEST(BatchCommitter, RefusesABatchThatDoesNotStartWhereTheRecordEnds) {
  TempDir dir;
  const auto plays = Plays(dir, 40);
  ASSERT_GE(plays.size(), 40u);
  auto lake = lake::Lake::OpenLocal(dir / "lake", stream_test::ScratchLake());
  ASSERT_TRUE(lake);
  BatchCommitter worker(**lake, {"live", sources::Format::kPlaylake, 1, 1, 1});
  BatchCommitter zombie(**lake, {"live", sources::Format::kPlaylake, 1, 1, 1});
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

}  // namespace
}  // namespace playlake::stream
