#include "lake/storage.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <future>

#include "testing/testing.h"

namespace playlake::lake {
namespace {

using testing::TempDir;

TEST(LocalStorage, PublishIfAbsentWritesOnceAndNeverReplaces) {
  TempDir dir;
  LocalStorage storage(dir.path());
  auto first = storage.PublishIfAbsent("_manifests/bronze/a.json", "one");
  ASSERT_TRUE(first);
  EXPECT_TRUE(*first);
  auto second = storage.PublishIfAbsent("_manifests/bronze/a.json", "two");
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);
  EXPECT_EQ(*storage.ReadAll("_manifests/bronze/a.json"), "one");
}

TEST(LocalStorage, ListSkipsTemporariesAndSorts) {
  TempDir dir;
  LocalStorage storage(dir.path());
  ASSERT_TRUE(storage.PublishIfAbsent("x/b", "1"));
  ASSERT_TRUE(storage.PublishIfAbsent("x/a", "2"));
  std::ofstream(dir.path() / "x" / ".b.tmp-1234") << "left by a crash";
  auto keys = storage.List("x");
  ASSERT_TRUE(keys);
  EXPECT_EQ(*keys, (std::vector<std::string>{"x/a", "x/b"}));
  auto none = storage.List("missing");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
}

TEST(LocalStorage, ListAllGivesTemporariesTooAndOnlyTheNamesAskedFor) {
  TempDir dir;
  LocalStorage storage(dir.path());
  ASSERT_TRUE(storage.PublishIfAbsent("x/y/a", "1"));
  ASSERT_TRUE(storage.PublishIfAbsent("x/b", "22"));
  std::ofstream(dir.path() / "x" / "y" / ".a.tmp-1234") << "left by a crash";
  auto keys = [](const std::vector<ObjectInfo>& objects) {
    std::vector<std::string> keys;
    for (const auto& o : objects) keys.push_back(o.key);
    std::sort(keys.begin(), keys.end());
    return keys;
  };
  auto all = storage.ListAll("x");
  ASSERT_TRUE(all);
  EXPECT_EQ(keys(*all), (std::vector<std::string>{"x/b", "x/y/.a.tmp-1234", "x/y/a"}));
  // Folders are walked whatever their name; only files are filtered.
  auto dotted = storage.ListAll("x", [](std::string_view name) { return name.starts_with('.'); });
  ASSERT_TRUE(dotted);
  ASSERT_EQ(keys(*dotted), (std::vector<std::string>{"x/y/.a.tmp-1234"}));
  EXPECT_EQ(dotted->at(0).bytes, 15u);
}

TEST(LocalStorage, CreateRefusesAnExistingKey) {
  TempDir dir;
  LocalStorage storage(dir.path());
  auto file = storage.Create("d/f.bin");
  ASSERT_TRUE(file);
  ASSERT_TRUE((*file)->Append("abc"));
  ASSERT_TRUE((*file)->Sync());
  ASSERT_TRUE((*file)->Close());
  EXPECT_EQ((*file)->size(), 3u);
  auto again = storage.Create("d/f.bin");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kIo);
  EXPECT_NE(again.error().message.find("f.bin"), std::string::npos);
}

TEST(LocalStorage, WriterLockMakesTheNextWriterWaitAndNamesTheHolder) {
  TempDir dir;
  LocalStorage storage(dir.path());
  auto first = storage.LockWriters([](const std::string&) { FAIL() << "the lake was free"; });
  ASSERT_TRUE(first);
  std::promise<std::string> waited;
  std::atomic<bool> acquired = false;
  auto second = std::async(std::launch::async, [&] {
    LocalStorage other(dir.path());  // its own open file: the lock conflicts as across processes
    auto lock = other.LockWriters([&](const std::string& holder) { waited.set_value(holder); });
    acquired = true;
    return lock.has_value();
  });
  EXPECT_EQ(waited.get_future().get(), "process " + std::to_string(::getpid()));
  EXPECT_FALSE(acquired);
  first->reset();  // released: the waiting writer gets the lock
  EXPECT_TRUE(second.get());
  EXPECT_TRUE(acquired);
  auto listed = storage.List("");
  ASSERT_TRUE(listed);
  EXPECT_TRUE(listed->empty());  // the lock file is never a key
}

TEST(LocalStorage, WriterLockTellsWhetherAnotherHoldCameBetween) {
  TempDir dir;
  LocalStorage storage(dir.path());
  LocalStorage other(dir.path());  // another writer (its own open of the lock file)
  const auto no_wait = [](const std::string&) { FAIL() << "the lake was free"; };
  std::string mark;
  {
    auto lock = storage.LockWriters(no_wait);
    ASSERT_TRUE(lock);
    EXPECT_FALSE((*lock)->NoneSince(""));  // no earlier hold known
    mark = (*lock)->Mark();
  }
  {
    auto lock = storage.LockWriters(no_wait);
    ASSERT_TRUE(lock);
    EXPECT_TRUE((*lock)->NoneSince(mark));
    EXPECT_NE((*lock)->Mark(), mark);  // each hold its own
    mark = (*lock)->Mark();
  }
  ASSERT_TRUE(other.LockWriters(no_wait));  // taken and given back at once
  {
    auto lock = storage.LockWriters(no_wait);
    ASSERT_TRUE(lock);
    EXPECT_FALSE((*lock)->NoneSince(mark));
    mark = (*lock)->Mark();
  }
  // An older playlake signs with its process alone, the same at every hold.
  std::ofstream(dir.path() / ".writer.lock", std::ios::trunc) << "process 1";
  auto lock = storage.LockWriters(no_wait);
  ASSERT_TRUE(lock);
  EXPECT_FALSE((*lock)->NoneSince(mark));
}

TEST(LocalStorage, OpenMissingFileIsNotFound) {
  auto file = OpenLocalFile("/nonexistent/playlake/file.json");
  ASSERT_FALSE(file);
  EXPECT_EQ(file.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace playlake::lake
