// KeyIndex reads a folder's keys from its files once, then only the files
// other writers commit to it: a folder two stream workers fill is not read
// again whole for each file of the other's. A compaction that replaces a file
// not read yet has its replacement read instead.
#include "silver/key_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "common/hash.h"

namespace playlake::silver {
namespace {

constexpr int kPlays = static_cast<int>(sources::Table::kPlays);
const std::string kDay = "event_date=2026-01-05";

std::string File(const std::string& name) { return "/lake/silver/plays/" + kDay + "/" + name; }

// Files as the lake would hold them: each file's play ids; `read` counts what is read.
struct FakeFiles {
  std::map<std::string, std::vector<std::string>> keys;
  std::vector<std::string> read;

  KeyIndex::Reader Reader() {
    return [this](const std::vector<std::string>& files, std::string_view,
                  std::span<const std::string_view> only,
                  const std::function<void(std::string_view)>& each) -> Status {
      for (const auto& file : files) {
        read.push_back(file);
        for (const auto& key : keys.at(file)) {
          if (only.empty() || std::find(only.begin(), only.end(), key) != only.end()) each(key);
        }
      }
      return {};
    };
  }
};

bool Holds(const HashSet64& keys, const std::string& play_id) {
  return keys.Contains(Hash64(play_id));
}

TEST(KeyIndex, ReadsOnlyTheFilesAnotherWriterCommitted) {
  FakeFiles lake;
  lake.keys[File("a.parquet")] = {"p1", "p2"};
  lake.keys[File("b.parquet")] = {"p3"};
  KeyIndex index;
  index.AddFile(kPlays, File("a.parquet"));
  index.AddFile(kPlays, File("b.parquet"));
  auto keys = index.Keys(kPlays, kDay, lake.Reader());
  ASSERT_TRUE(keys);
  EXPECT_EQ(lake.read.size(), 2u);
  EXPECT_TRUE(Holds(**keys, "p3"));

  // Another writer commits two files of the day, then one more.
  lake.keys[File("c.parquet")] = {"p4"};
  lake.keys[File("d.parquet")] = {"p5", "p6"};
  index.AddFile(kPlays, File("c.parquet"));
  index.AddFile(kPlays, File("d.parquet"));
  index.AddFile(kPlays, File("a.parquet"));  // known already: nothing to read
  lake.read.clear();
  keys = index.Keys(kPlays, kDay, lake.Reader());
  ASSERT_TRUE(keys);
  EXPECT_EQ(lake.read, (std::vector<std::string>{File("c.parquet"), File("d.parquet")}));
  for (const char* id : {"p1", "p2", "p3", "p4", "p5", "p6"}) EXPECT_TRUE(Holds(**keys, id)) << id;
  EXPECT_FALSE(Holds(**keys, "p7"));
  EXPECT_EQ(index.loads(), 1);
  EXPECT_EQ(index.unread_files(), 2);

  lake.read.clear();
  ASSERT_TRUE(index.Keys(kPlays, kDay, lake.Reader()));
  EXPECT_TRUE(lake.read.empty());  // nothing new: nothing read
}

TEST(KeyIndex, ACompactedFileNotReadYetIsReadThroughItsReplacement) {
  FakeFiles lake;
  lake.keys[File("a.parquet")] = {"p1"};
  KeyIndex index;
  index.AddFile(kPlays, File("a.parquet"));
  ASSERT_TRUE(index.Keys(kPlays, kDay, lake.Reader()));
  // Another writer's file, compacted with a.parquet before this index read it.
  lake.keys[File("b.parquet")] = {"p2"};
  lake.keys[File("ab.parquet")] = {"p1", "p2"};
  index.AddFile(kPlays, File("b.parquet"));
  index.ReplaceFiles(kPlays, {File("a.parquet"), File("b.parquet")}, {File("ab.parquet")});
  lake.read.clear();
  auto keys = index.Keys(kPlays, kDay, lake.Reader());
  ASSERT_TRUE(keys);
  EXPECT_EQ(lake.read, std::vector<std::string>{File("ab.parquet")});
  EXPECT_TRUE(Holds(**keys, "p2"));

  // A compaction of files whose keys are all loaded reads nothing.
  lake.keys[File("abc.parquet")] = {"p1", "p2"};
  index.ReplaceFiles(kPlays, {File("ab.parquet")}, {File("abc.parquet")});
  lake.read.clear();
  ASSERT_TRUE(index.Keys(kPlays, kDay, lake.Reader()));
  EXPECT_TRUE(lake.read.empty());
}

TEST(KeyIndex, AFolderIsProbedOnceForAFewKeysThenReadWhole) {
  FakeFiles lake;
  lake.keys[File("a.parquet")] = {"p1", "p2"};
  lake.keys[File("b.parquet")] = {"p3"};
  KeyIndex index;
  EXPECT_FALSE(index.ShouldProbe(kPlays, kDay));  // no file: nothing to read either way
  index.AddFile(kPlays, File("a.parquet"));
  index.AddFile(kPlays, File("b.parquet"));
  ASSERT_TRUE(index.ShouldProbe(kPlays, kDay));
  const std::vector<std::string_view> wanted = {"p3", "p9"};
  auto held = index.Probe(kPlays, kDay, wanted, lake.Reader());
  ASSERT_TRUE(held);
  EXPECT_TRUE(Holds(*held, "p3"));
  EXPECT_FALSE(Holds(*held, "p9"));
  EXPECT_FALSE(Holds(*held, "p1"));  // only the keys asked for
  EXPECT_EQ(held->size(), 1u);
  EXPECT_EQ(index.probes(), 1);
  EXPECT_EQ(index.bytes(), 0u);  // nothing kept

  // Looked up again: read whole, and kept.
  EXPECT_FALSE(index.ShouldProbe(kPlays, kDay));
  auto keys = index.Keys(kPlays, kDay, lake.Reader());
  ASSERT_TRUE(keys);
  EXPECT_TRUE(Holds(**keys, "p1"));
  EXPECT_TRUE(Holds(**keys, "p3"));
  EXPECT_EQ(index.loads(), 1);
  EXPECT_FALSE(index.ShouldProbe(kPlays, kDay));
}

}  // namespace
}  // namespace playlake::silver
