// S3Storage: a lake on an S3-compatible object store (AWS S3, MinIO, R2),
// with a local cache that engines (DuckDB) read and write through.
//
//   auto storage = S3Storage::Create({.client = std::move(client), .prefix = "lakes/radio",
//                                     .cache = "/var/cache/playlake/radio"});
//   Lake lake(std::move(*storage), {});
//
// How it keeps the three guarantees of lake::Storage (storage.h):
//   1. a data file is written to the cache, then uploaded whole (a single PUT,
//      or a multipart upload that is aborted on failure) by Sync, Close or
//      SyncExisting: S3 shows an object only once its upload completed;
//   2. PublishIfAbsent is a conditional PUT (If-None-Match: *): of two writers,
//      on any machines, exactly one wins;
//   3. List pages through ListObjectsV2.
// Every object of a lake is immutable once written (keys carry nonces;
// manifests are published once), so the cache never goes stale: an object
// is fetched on first use (Url, Open, ReadAll), checked against its size and,
// for a single-part upload, its ETag (the MD5 of its bytes), and kept.
// Objects this storage wrote are cached as they were written.
//
// The writer lock (LockWriters) is a lease on the object `_lock/writers`:
// taken by a conditional PUT, renewed every few seconds by compare-and-swap
// (If-Match) so its ETag keeps changing, given back by a swap to a "released"
// body, and taken over by a waiter that sees the same ETag for longer than the
// lease (its holder died or stalled), or at once when the holder was a process
// of the waiter's own host that is gone. While a lease is held, each commit
// (PublishIfAbsent) first renews it on the spot, so a writer that stalled past
// its lease learns it before committing anything under a lock it lost. The store must support If-None-Match: * and
// If-Match on PUT (docs/deploy.md).
//
// Thread safety: as lake::Storage.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "lake/storage.h"
#include "s3/client.h"

namespace playlake::s3 {

class S3WriterLock;

struct S3StorageOptions {
  std::unique_ptr<S3Client> client;
  std::string prefix;              // the lake's folder in the bucket; may be empty
  std::filesystem::path cache;     // local cache folder, created if missing
  std::chrono::seconds lease{30};  // the writer lock's lease
  std::uint64_t part_size = kDefaultPartSize;
};

class S3Storage final : public lake::Storage {
 public:
  static Result<std::unique_ptr<S3Storage>> Create(S3StorageOptions options);

  Result<std::unique_ptr<lake::WriterLock>> LockWriters(
      const std::function<void(const std::string& holder)>& on_wait) override;
  Result<std::unique_ptr<lake::WritableFile>> Create(const std::string& key) override;
  Result<std::unique_ptr<lake::ReadableFile>> Open(const std::string& key) const override;
  Result<std::string> ReadAll(const std::string& key) const override;
  Result<bool> PublishIfAbsent(const std::string& key, std::string_view bytes) override;
  Result<bool> Exists(const std::string& key) const override;
  Result<std::vector<std::string>> List(const std::string& prefix) const override;
  Status PrepareFolder(const std::string& key) override;
  Status SyncExisting(const std::string& key) override;
  Status Remove(const std::string& key) override;
  Result<std::vector<lake::ObjectInfo>> ListAll(const std::string& prefix,
                                                const NameFilter& only = nullptr) const override;
  // The cached copy's path, fetched first when the object exists and is not
  // cached yet (a key about to be written by an engine is just the path).
  std::string Url(const std::string& key) const override;
  std::chrono::seconds LeftoverGrace() const override { return std::chrono::hours(1); }
  Result<std::int64_t> AbortStaleWrites(std::chrono::system_clock::time_point cutoff) override;
  // Fetches the keys that are not cached yet, kPrefetchThreads at a time.
  Status Prefetch(const std::vector<std::string>& keys) const override;
  static constexpr int kPrefetchThreads = 16;

  // Uploads the cached file `key` unless this storage uploaded it already.
  Status Upload(const std::string& key);

 private:
  explicit S3Storage(S3StorageOptions options);
  std::string Remote(const std::string& key) const;  // the object's key in the bucket
  // Makes sure `key` is in the cache. Error{kNotFound} when S3 has no such object.
  Status Fetch(const std::string& key) const;

  friend class S3WriterLock;

  S3StorageOptions options_;
  lake::LocalStorage cache_;
  std::mutex mutex_;
  std::set<std::string> uploaded_;  // guarded by mutex_
  std::mutex lease_mutex_;
  S3WriterLock* lease_ = nullptr;  // the lease this storage holds; guarded by lease_mutex_
};

}  // namespace playlake::s3
