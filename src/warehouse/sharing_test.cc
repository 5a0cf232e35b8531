#include "warehouse/sharing.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <future>

#include "testing/testing.h"

namespace playlake::warehouse {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

DatabaseOptions OneThread() {
  DatabaseOptions options;
  options.threads = 1;
  return options;
}

DatabaseOptions ReadOnly() {
  DatabaseOptions options = OneThread();
  options.read_only = true;
  return options;
}

// The version that `db`'s gold table holds (or the error).
std::string VersionIn(Database& db) {
  auto table = (*db.Connect())->Query("SELECT version FROM gold");
  return table ? table->rows.at(0).at(0).value_or("NULL") : table.error().message;
}

// The same, on a fresh read-only open of `file`.
std::string VersionIn(const fs::path& file) {
  auto db = Database::Open(file.string(), ReadOnly());
  return db ? VersionIn(**db) : db.error().message;
}

bool SetVersion(Database& db, int version) {
  return bool(
      (*db.Connect())
          ->Execute(fmt::format("CREATE OR REPLACE TABLE gold AS SELECT {} AS version", version)));
}

void MakeWarehouse(const fs::path& file, int version) {
  auto db = Database::Open(file.string());
  ASSERT_TRUE(db) << db.error().message;
  ASSERT_TRUE(SetVersion(**db, version));
}

// Another process holding DuckDB's lock on a file until destroyed: shared, as
// a read-only open (the dashboard) takes it, or exclusive, as a build in place
// does (with the builds' turn, the lock file beside it).
class LockingProcess {
 public:
  enum class As { kReader, kBuilder };
  LockingProcess(const fs::path& file, As as) {
    int ready[2], stop[2];
    EXPECT_EQ(::pipe(ready), 0);
    EXPECT_EQ(::pipe(stop), 0);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(stop[1]);
      bool ok = true;
      if (as == As::kBuilder) {
        const fs::path turn = file.parent_path() / ("." + file.filename().string() + ".lock");
        const int lock_fd = ::open(turn.c_str(), O_RDWR | O_CREAT, 0644);
        ok = lock_fd >= 0 && ::flock(lock_fd, LOCK_EX) == 0;
      }
      const int fd = ::open(file.c_str(), O_RDWR);
      struct flock lock {};
      lock.l_type = as == As::kBuilder ? F_WRLCK : F_RDLCK;
      lock.l_whence = SEEK_SET;
      ok = ok && fd >= 0 && ::fcntl(fd, F_SETLK, &lock) == 0;
      const char answer = ok ? '1' : '0';
      (void)!::write(ready[1], &answer, 1);
      char c;
      (void)!::read(stop[0], &c, 1);  // returns when the parent closes its end
      ::_exit(0);
    }
    ::close(ready[1]);
    ::close(stop[0]);
    stop_ = stop[1];
    char ok = '0';
    EXPECT_EQ(::read(ready[0], &ok, 1), 1);
    ::close(ready[0]);
    EXPECT_EQ(ok, '1') << "the locking process could not lock " << file;
  }
  ~LockingProcess() { Stop(); }
  void Stop() {
    if (pid_ <= 0) return;
    ::close(stop_);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
  int stop_ = -1;
};

TEST(Writer, BuildsInPlaceWhenNoOneReads) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  auto writer = Writer::Open(file, OneThread());
  ASSERT_TRUE(writer) << writer.error().message;
  EXPECT_FALSE((*writer)->building_copy());
  // The build checkpoints once, when it closes, not at every commit past 16 MB of WAL.
  auto conn = (*writer)->db().Connect();
  ASSERT_TRUE(conn);
  auto threshold = (*conn)->QueryScalar("SELECT current_setting('checkpoint_threshold')");
  ASSERT_TRUE(threshold) << threshold.error().message;
  EXPECT_EQ(*threshold, "931.3 GiB");  // 1 TB
  conn->reset();
  ASSERT_TRUE(SetVersion((*writer)->db(), 2));
  ASSERT_TRUE((*writer)->Finish());
  EXPECT_EQ(VersionIn(file), "2");
  EXPECT_FALSE(fs::exists(dir / ".warehouse.duckdb.building"));
}

// The compressions DuckDB stored column `s` of table `t` of `file` with.
std::string CompressionsOfS(const fs::path& file) {
  auto db = Database::Open(file.string(), ReadOnly());
  if (!db) return db.error().message;
  auto compressions = (*(*db)->Connect())
                          ->QueryScalar(
                              "SELECT string_agg(DISTINCT compression, ',' ORDER BY "
                              "compression) FROM pragma_storage_info('t') WHERE "
                              "column_name = 's' AND segment_type = 'VARCHAR'");
  return compressions ? *compressions : compressions.error().message;
}

TEST(Writer, StoresTextWithoutFsst) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  // Text FSST compresses well and no dictionary holds (unique ids behind a
  // long common prefix): DuckDB stores it with FSST unless told not to.
  const auto append = [&](bool vacuum, int from) {
    DatabaseOptions options = OneThread();
    options.vacuum = vacuum;
    auto writer = Writer::Open(file, options);
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE(
        (*(*writer)->db().Connect())
            ->Execute(fmt::format(
                "CREATE TABLE IF NOT EXISTS t (s VARCHAR); INSERT INTO "
                "t SELECT 'spotify:track:listened-to-on-a-playlake-test-' || md5(range::VARCHAR) "
                "FROM range({}, {})",
                from, from + 20000)));
    ASSERT_TRUE((*writer)->Finish());
  };
  append(true, 0);
  EXPECT_EQ(CompressionsOfS(file), "Uncompressed");
  append(false, 20000);
  append(true, 40000);  // merges the row groups
  EXPECT_EQ(CompressionsOfS(file), "Uncompressed");
}

TEST(Writer, BuildsACopyWhileAnotherProcessReadsAndSwapsItInAtTheEnd) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  LockingProcess dashboard(file, LockingProcess::As::kReader);
  auto writer = Writer::Open(file, OneThread());
  ASSERT_TRUE(writer) << writer.error().message;
  EXPECT_TRUE((*writer)->building_copy());
  ASSERT_TRUE(SetVersion((*writer)->db(), 2));
  // Until the build ends, readers see the build they opened, complete.
  EXPECT_EQ(VersionIn(file), "1");
  ASSERT_TRUE((*writer)->Finish());
  EXPECT_EQ(VersionIn(file), "2");
  EXPECT_FALSE(fs::exists(dir / ".warehouse.duckdb.building"));
}

TEST(Writer, ACopyNotFinishedIsDropped) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  LockingProcess dashboard(file, LockingProcess::As::kReader);
  {
    auto writer = Writer::Open(file, OneThread());
    ASSERT_TRUE(writer) << writer.error().message;
    ASSERT_TRUE(SetVersion((*writer)->db(), 2));
    EXPECT_TRUE(fs::exists(dir / ".warehouse.duckdb.building"));
  }  // a build that failed: no Finish
  EXPECT_FALSE(fs::exists(dir / ".warehouse.duckdb.building"));
  EXPECT_EQ(VersionIn(file), "1");
}

TEST(Writer, RemovesTheCopyOfABuildThatCrashed) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  std::ofstream(dir / ".warehouse.duckdb.building") << "half a copy";
  std::ofstream(dir / ".warehouse.duckdb.building.wal") << "its log";
  auto writer = Writer::Open(file, OneThread());
  ASSERT_TRUE(writer) << writer.error().message;
  EXPECT_FALSE((*writer)->building_copy());
  EXPECT_FALSE(fs::exists(dir / ".warehouse.duckdb.building"));
  EXPECT_FALSE(fs::exists(dir / ".warehouse.duckdb.building.wal"));
}

TEST(Writer, FinishBeforeExitCheckpointsAndHoldsTheTurnUntilTheProcessExits) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  int ready[2], stop[2];
  ASSERT_EQ(::pipe(ready), 0);
  ASSERT_EQ(::pipe(stop), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {  // a `playlake build`: builds, finishes, exits (static destructors and all)
    ::close(stop[1]);
    auto writer = Writer::Open(file, OneThread());
    const bool ok = writer && SetVersion((*writer)->db(), 2) && (*writer)->FinishBeforeExit();
    const char answer = ok ? '1' : '0';
    (void)!::write(ready[1], &answer, 1);
    char c;
    (void)!::read(stop[0], &c, 1);
    std::exit(0);
  }
  ::close(ready[1]);
  ::close(stop[0]);
  char ok = '0';
  ASSERT_EQ(::read(ready[0], &ok, 1), 1);
  ASSERT_EQ(ok, '1') << "the build process failed";
  // Before the build's process exits, a reader waits for it, as during the build.
  auto version = std::async(std::launch::async, [&] {
    std::string seen;
    const Status opened = OpenWhenReadable(file, [&]() -> Status {
      auto db = Database::Open(file.string(), ReadOnly());
      if (!db) return tl::unexpected(db.error());
      seen = VersionIn(**db);
      return {};
    });
    return opened ? seen : opened.error().message;
  });
  EXPECT_EQ(version.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout);
  ::close(stop[1]);
  int status = -1;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(version.get(), "2");
  // Checkpointed: nothing was left in the log for the next open to replay.
  EXPECT_FALSE(fs::exists(dir / "warehouse.duckdb.wal"));
}

TEST(OpenWhenReadable, WaitsForABuildInPlaceThenOpens) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  LockingProcess build(file, LockingProcess::As::kBuilder);
  std::atomic<int> attempts{0};
  auto opened = std::async(std::launch::async, [&] {
    return OpenWhenReadable(file, [&]() -> Status {
      ++attempts;
      auto db = Database::Open(file.string(), ReadOnly());
      if (!db) return tl::unexpected(db.error());
      return {};
    });
  });
  EXPECT_EQ(opened.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout);
  EXPECT_EQ(attempts, 1);
  build.Stop();
  const Status status = opened.get();
  EXPECT_TRUE(status) << status.error().message;
  EXPECT_EQ(attempts, 2);
}

TEST(OpenWhenReadable, OtherFailuresAreReturnedAtOnce) {
  TempDir dir;
  const Status status = OpenWhenReadable(dir / "none.duckdb",
                                         [] { return Fail(ErrorCode::kNotFound, "no such file"); });
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "no such file");
}

TEST(Reader, MovesToTheNewBuildAndKeepsTheOldOneForWhoHoldsIt) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  auto reader = Reader::Open(file, OneThread(), std::chrono::milliseconds(0));
  ASSERT_TRUE(reader) << reader.error().message;
  const Reader::Snapshot first = (*reader)->Current();
  EXPECT_EQ(VersionIn(*first.db), "1");

  // A build that found readers renames its copy over the file (Writer::Finish).
  std::filesystem::create_directories(dir / "next");
  MakeWarehouse(dir / "next" / "warehouse.duckdb", 2);
  fs::rename(dir / "next" / "warehouse.duckdb", file);
  const Reader::Snapshot second = (*reader)->Current();
  EXPECT_EQ(second.generation, first.generation + 1);
  EXPECT_EQ(VersionIn(*second.db), "2");
  EXPECT_EQ(VersionIn(*first.db), "1");                           // a request still going
  EXPECT_EQ((*reader)->Current().generation, second.generation);  // nothing new
}

TEST(Reader, KeepsTheBuildItHasWhenTheNewFileDoesNotOpen) {
  TempDir dir;
  const fs::path file = dir / "warehouse.duckdb";
  MakeWarehouse(file, 1);
  auto reader = Reader::Open(file, OneThread(), std::chrono::milliseconds(0));
  ASSERT_TRUE(reader) << reader.error().message;
  std::ofstream(dir / "broken") << "not a DuckDB file";
  fs::rename(dir / "broken", file);
  const Reader::Snapshot snapshot = (*reader)->Current();
  EXPECT_EQ(snapshot.generation, 0u);
  EXPECT_EQ(VersionIn(*snapshot.db), "1");
}

}  // namespace
}  // namespace playlake::warehouse
