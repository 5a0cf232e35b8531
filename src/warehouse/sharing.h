// Builds and readers of one warehouse file at the same time.
//
// DuckDB lets one process write a database file, or any number of processes
// read it, never both: a build while the dashboard (`playlake serve`) or
// `playlake sql --gold` has the file open would fail on DuckDB's lock. So a
// Writer builds the file in place when no one reads it, and otherwise builds
// a copy and renames it over the file when the build ends. Readers go on with
// the file they opened (a consistent, complete build, never one half done),
// and a Reader notices the new file and moves to it.
//
// Writers take turns on a lock file beside the warehouse (`.<name>.lock`), so
// two builds never write the same file, in place or by copy.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>

#include "warehouse/duckdb.h"

namespace playlake::warehouse {

class Writer {
 public:
  // Waits for a build of `file` going on in another process (logging who
  // holds it), then opens `file` for writing, or a copy of it when other
  // processes read it. Its checkpoints store text without FSST (sharing.cc).
  static Result<std::unique_ptr<Writer>> Open(const std::filesystem::path& file,
                                              const DatabaseOptions& options);
  // Without Finish, a copy is removed and the file stays as it was.
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  Database& db() { return *db_; }
  // True when building a copy because the file had readers.
  bool building_copy() const { return !copy_.empty(); }
  // Closes the database (DuckDB checkpoints it into its file) and, when it
  // is a copy, renames it over the file. db() is gone afterwards.
  Status Finish();
  // Finish for a process that ends right after and never opens the file for
  // writing again: checkpoints the database, then leaves it and the build's
  // turn open until the process exits instead of closing them. Closing frees
  // the memory DuckDB holds range by range, 0.2-0.3 s after a build of the
  // benchmark; the exit returns it at once. Readers that try the file before
  // the exit wait for the turn, as they do during the build.
  Status FinishBeforeExit();

 private:
  struct Lock;
  Writer(std::filesystem::path file, std::unique_ptr<Lock> lock);
  // Renames a copy over the file, once its database is closed or checkpointed.
  Status Publish();

  std::filesystem::path file_;
  std::filesystem::path copy_;  // empty: building in place
  std::unique_ptr<Lock> lock_;
  std::unique_ptr<Database> db_;
};

// Runs `open`, a read-only open of `file`. When it fails because a build is
// writing the file in place, waits for that build (logging who holds it) and
// runs `open` once more, before the next build can start.
Status OpenWhenReadable(const std::filesystem::path& file, const std::function<Status()>& open);

// A warehouse file opened read-only that follows the builds that replace it.
//
// Thread safety: Current() may be called from any thread; what it returns
// stays usable (and unchanged) for as long as it is held.
class Reader {
 public:
  // Opens `file` read-only; waits while a build writes it in place.
  static Result<std::unique_ptr<Reader>> Open(
      std::filesystem::path file, DatabaseOptions options,
      std::chrono::milliseconds recheck = std::chrono::seconds(1));

  struct Snapshot {
    std::shared_ptr<Database> db;
    std::uint64_t generation;  // grows by one each time a new build is opened
  };
  // The newest build of the file: at most every `recheck`, looks whether a
  // build has replaced the file, and if so opens the new one. Should it not
  // open (a later build writing it in place), the build held is kept and
  // the next look tries again.
  Snapshot Current();

 private:
  Reader(std::filesystem::path file, DatabaseOptions options, std::chrono::milliseconds recheck);

  const std::filesystem::path file_;
  const DatabaseOptions options_;
  const std::chrono::milliseconds recheck_;
  std::mutex mu_;
  std::shared_ptr<Database> db_;
  std::uint64_t generation_ = 0;
  std::uint64_t inode_ = 0;  // of the file db_ holds
  std::chrono::steady_clock::time_point checked_;
};

}  // namespace playlake::warehouse
