// Storage: the object store under a lake, behind an interface so the local
// folder used today can be swapped for S3-compatible storage later.
//
// Keys are '/'-separated paths relative to the lake root ("bronze/x/y.zst").
// The commit protocol (docs/lake-format.md) needs exactly three guarantees,
// which every backend must give:
//   1. a WritableFile is invisible under its key until Close() succeeds, or is
//      at least never referenced by a manifest before it is durable (Sync);
//   2. PublishIfAbsent is atomic and durable: after it returns true the bytes
//      survive a crash, and of two concurrent publishers exactly one wins;
//   3. List returns every published key under a prefix.
// LocalStorage: 1 by fsync of file and folder, 2 by link(2) of a fsynced
// temporary (fails with EEXIST when the key exists), 3 by a folder walk.
// Writers also take LockWriters, so one ingest at a time deduplicates against
// everything committed before it (two at once would each keep a play the
// other commits); LocalStorage holds a FileLock (common/file_lock.h) on a file
// at the root, which the kernel releases however the holder ends (kill -9
// included). Its files are written with AtomicFile (common/atomic_file.h).
//
// Thread safety: a Storage may be used by many threads at once; a
// WritableFile/ReadableFile by one thread at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace playlake::lake {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view bytes) = 0;
  // Makes everything appended so far durable (fsync of data and folder entry).
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  virtual std::uint64_t size() const = 0;
};

class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to `n` bytes into `buffer`; returns 0 at the end of the file.
  virtual Result<std::size_t> Read(char* buffer, std::size_t n) = 0;
};

// Held while alive: see Storage::LockWriters.
class WriterLock {
 public:
  virtual ~WriterLock() = default;
  // Names this hold of the lock, for NoneSince of a later one.
  virtual std::string Mark() const { return {}; }
  // Whether this hold directly follows the one that returned `mark`: no
  // other hold came between, so no other writer committed anything since
  // (every writer commits under the lock). False where the storage cannot
  // tell (S3's lease).
  virtual bool NoneSince(const std::string& mark) const {
    (void)mark;
    return false;
  }
};

// An object as a listing for clean-up sees it.
struct ObjectInfo {
  std::string key;
  std::uint64_t bytes = 0;
  std::chrono::system_clock::time_point modified;
};

class Storage {
 public:
  virtual ~Storage() = default;
  // The lake's writer lock, held until the result is destroyed. Waits while
  // another process holds it, calling `on_wait` (with what is known of the
  // holder) once before waiting.
  virtual Result<std::unique_ptr<WriterLock>> LockWriters(
      const std::function<void(const std::string& holder)>& on_wait) = 0;
  // Creates a new object; fails if `key` exists.
  virtual Result<std::unique_ptr<WritableFile>> Create(const std::string& key) = 0;
  virtual Result<std::unique_ptr<ReadableFile>> Open(const std::string& key) const = 0;
  virtual Result<std::string> ReadAll(const std::string& key) const = 0;
  // Atomically writes `bytes` under `key` unless the key exists. Returns false
  // (and changes nothing) when it exists.
  virtual Result<bool> PublishIfAbsent(const std::string& key, std::string_view bytes) = 0;
  virtual Result<bool> Exists(const std::string& key) const = 0;
  // Every key under `prefix` (recursively), sorted.
  virtual Result<std::vector<std::string>> List(const std::string& prefix) const = 0;
  // Readies `key` as a folder an engine (DuckDB's COPY) will write objects
  // into: creates it on a file system, nothing on an object store.
  virtual Status PrepareFolder(const std::string& key) = 0;
  // Makes an object (or a folder's entries) written by someone else — DuckDB's
  // COPY — durable.
  virtual Status SyncExisting(const std::string& key) = 0;
  virtual Status Remove(const std::string& key) = 0;
  // Every object under `prefix` (recursively), temporaries that List hides
  // included, with size and modification time: what Lake::RemoveLeftovers
  // looks through. Unsorted. With `only`, just the objects whose name (the
  // key's last part) it accepts: a file system looks up no other's size and time.
  using NameFilter = std::function<bool(std::string_view name)>;
  virtual Result<std::vector<ObjectInfo>> ListAll(const std::string& prefix,
                                                  const NameFilter& only = nullptr) const = 0;
  // Where an engine (DuckDB) can read or write the object: a local path (for
  // an object store, its copy in a local cache).
  virtual std::string Url(const std::string& key) const = 0;
  // How old an unreferenced file must be before a writer holding LockWriters
  // may remove it as a crashed writer's leftover: 0 where the lock excludes
  // every other writer for sure (a local lock), longer where the lock is a
  // lease that a stalled writer may lose without knowing.
  virtual std::chrono::seconds LeftoverGrace() const { return std::chrono::seconds(0); }
  // Abandons the writes a crashed writer left half done inside the store
  // itself, started before `cutoff` (S3's incomplete multipart uploads), and
  // returns how many. A file system has none.
  virtual Result<std::int64_t> AbortStaleWrites(std::chrono::system_clock::time_point cutoff) {
    (void)cutoff;
    return 0;
  }
  // Readies `keys` for reading soon, all at once where that is faster than
  // one by one (an object store fetches them concurrently into its cache).
  // Errors: as ReadAll's for the first key that failed.
  virtual Status Prefetch(const std::vector<std::string>& keys) const {
    (void)keys;
    return {};
  }
};

// A folder on a local (POSIX) file system.
class LocalStorage final : public Storage {
 public:
  // `durable` = false skips every fsync: atomicity (kill -9 safety) is kept,
  // durability across power loss is not. For tests and scratch lakes only.
  explicit LocalStorage(std::filesystem::path root, bool durable = true);
  Result<std::unique_ptr<WriterLock>> LockWriters(
      const std::function<void(const std::string& holder)>& on_wait) override;
  Result<std::unique_ptr<WritableFile>> Create(const std::string& key) override;
  Result<std::unique_ptr<ReadableFile>> Open(const std::string& key) const override;
  Result<std::string> ReadAll(const std::string& key) const override;
  Result<bool> PublishIfAbsent(const std::string& key, std::string_view bytes) override;
  Result<bool> Exists(const std::string& key) const override;
  Result<std::vector<std::string>> List(const std::string& prefix) const override;
  Status PrepareFolder(const std::string& key) override;
  Status SyncExisting(const std::string& key) override;
  Status Remove(const std::string& key) override;
  Result<std::vector<ObjectInfo>> ListAll(const std::string& prefix,
                                          const NameFilter& only = nullptr) const override;
  std::string Url(const std::string& key) const override;
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  bool durable_;
};

// Opens a plain local file (an input outside the lake) for streaming reads.
Result<std::unique_ptr<ReadableFile>> OpenLocalFile(const std::filesystem::path& path);

}  // namespace playlake::lake
