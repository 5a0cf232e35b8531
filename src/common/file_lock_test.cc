#include "common/file_lock.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <future>

#include "testing/testing.h"

namespace playlake {
namespace {

using testing::TempDir;

const std::string kMe = "process " + std::to_string(::getpid());

TEST(FileLock, SecondAcquireWaitsForTheFirstAndNamesTheHolder) {
  TempDir dir;
  auto first =
      FileLock::Acquire(dir / ".run.lock", [](const std::string&) { FAIL() << "was free"; });
  ASSERT_TRUE(first) << first.error().message;
  std::promise<std::string> waited;
  std::atomic<bool> acquired = false;
  auto second = std::async(std::launch::async, [&] {
    auto lock = FileLock::Acquire(dir / ".run.lock",
                                  [&](const std::string& holder) { waited.set_value(holder); });
    acquired = true;
    return lock.has_value() && *lock != nullptr;
  });
  EXPECT_EQ(waited.get_future().get(), kMe);
  EXPECT_FALSE(acquired);
  first->reset();  // released: the waiter gets the lock
  EXPECT_TRUE(second.get());
  EXPECT_TRUE(acquired);
}

TEST(FileLock, TryAcquireReturnsNullWhileHeld) {
  TempDir dir;
  auto held = FileLock::Acquire(dir / ".scheduler.lock", [](const std::string&) {});
  ASSERT_TRUE(held);
  std::string holder;
  auto busy = FileLock::TryAcquire(dir / ".scheduler.lock", holder);
  ASSERT_TRUE(busy);
  EXPECT_EQ(*busy, nullptr);
  EXPECT_EQ(holder, kMe);
  held->reset();
  auto free = FileLock::TryAcquire(dir / ".scheduler.lock", holder);
  ASSERT_TRUE(free);
  EXPECT_NE(*free, nullptr);
}

TEST(FileLock, KilledHolderReleasesTheLock) {
  TempDir dir;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto lock = FileLock::Acquire(dir / ".writer.lock", [](const std::string&) {});
    const char ok = lock ? 'y' : 'n';
    (void)::write(ready[1], &ok, 1);
    ::pause();  // holds the lock until killed
    ::_exit(0);
  }
  ::close(ready[1]);
  char ok = 0;
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(ok, 'y');
  std::string holder;
  auto busy = FileLock::TryAcquire(dir / ".writer.lock", holder);
  ASSERT_TRUE(busy);
  EXPECT_EQ(*busy, nullptr);
  EXPECT_EQ(holder, "process " + std::to_string(child));
  ::kill(child, SIGKILL);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  auto taken = FileLock::TryAcquire(dir / ".writer.lock", holder);
  ASSERT_TRUE(taken);
  EXPECT_NE(*taken, nullptr);
}

TEST(FileLock, MissingFolderIsAnErrorNamingThePath) {
  TempDir dir;
  auto lock = FileLock::Acquire(dir / "missing" / ".run.lock", [](const std::string&) {});
  ASSERT_FALSE(lock);
  EXPECT_EQ(lock.error().code, ErrorCode::kNotFound);
  EXPECT_NE(lock.error().message.find("missing/.run.lock"), std::string::npos);
}

}  // namespace
}  // namespace playlake
