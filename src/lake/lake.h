// Lake: a medallion lake on a Storage, with the commit protocol of
// docs/lake-format.md. Start here.
//
//   auto lake = Lake::OpenLocal("/data/lake", {});
//   ... write data files under unique keys, Sync them ...
//   lake->Commit(entry);            // atomic, idempotent publication
//   lake->CommittedFiles("silver", "plays");
//
// Ownership: a Lake owns its Storage; FaultHooks are borrowed and must outlive
// the Lake. Thread safety: all methods may be called from several threads.
// Errors: kIo for storage failures, kData for a corrupt manifest.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "lake/faults.h"
#include "lake/manifest.h"
#include "lake/storage.h"

namespace playlake::lake {

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct LakeOptions {
  Clock clock;                   // default: the system clock
  FaultHooks* faults = nullptr;  // default: no faults
  bool durable = true;           // false: no fsync (tests, scratch lakes); see LocalStorage
  // A read of this many manifests or more takes what it can from the newest
  // snapshot of the commit log, and writes a new snapshot when it still had
  // to read this many one by one (docs/lake-format.md, "Snapshots of the
  // commit log").
  std::size_t snapshot_after = 1000;
};

// What Lake::RemoveLeftovers found.
struct Leftovers {
  std::int64_t removed = 0;         // files removed
  std::uint64_t removed_bytes = 0;  // the space they held
  std::int64_t kept = 0;            // unreferenced files younger than the grace period
  std::int64_t aborted_uploads = 0;  // half-done uploads abandoned (Storage::AbortStaleWrites)
};

// The data files of `entries` that readers use: every entry's files except
// those a later compaction entry replaces (ManifestEntry::replaces), in entry
// order.
std::vector<DataFile> LiveFiles(const std::vector<ManifestEntry>& entries);

class Lake {
 public:
  Lake(std::unique_ptr<Storage> storage, LakeOptions options);
  // Opens (creating if needed) a lake in a local folder.
  static Result<std::unique_ptr<Lake>> OpenLocal(const std::filesystem::path& root,
                                                 LakeOptions options);

  Storage& storage() { return *storage_; }
  FaultHooks& faults() { return *faults_; }
  std::chrono::system_clock::time_point Now() const { return clock_(); }
  // A fresh random token for unique data file names (never reused by retries).
  std::string NewNonce() const;

  // The committed entry of `batch_id` in `layer`, if any.
  Result<std::optional<ManifestEntry>> Find(const std::string& layer,
                                            const std::string& batch_id) const;
  // Publishes `entry` (stamping committed_at_us). Returns false when the batch
  // was already committed — by an earlier run or a concurrent writer — in
  // which case the lake is unchanged. REQUIRES: every file in entry.files is
  // durable (Storage::Create + Sync, or SyncExisting).
  Result<bool> Commit(ManifestEntry entry);
  // Every committed entry of `layer`, in commit order (ties broken by input path).
  Result<std::vector<ManifestEntry>> Entries(const std::string& layer) const;
  // The ids of the batches committed to `layer`, sorted: one listing of its
  // manifests, none read (Entries reads every one: about 15 µs each, a few
  // from a snapshot).
  Result<std::vector<std::string>> BatchIds(const std::string& layer) const;
  // The entries of the committed batches `batch_ids` of `layer` (from
  // BatchIds), in commit order; on S3 fetched together first. A read of
  // LakeOptions::snapshot_after ids or more uses and renews the layer's
  // snapshot (the only thing a read writes, and never needed: any failure to
  // read or write it is logged and the manifests are read instead).
  Result<std::vector<ManifestEntry>> Read(const std::string& layer,
                                          const std::vector<std::string>& batch_ids) const;
  // The committed data files of `table` in `layer` that no compaction
  // replaced (LiveFiles), sorted by key.
  Result<std::vector<DataFile>> CommittedFiles(const std::string& layer,
                                               const std::string& table) const;
  // Removes what writers that crashed or failed (a full disk) left behind:
  // files under bronze/ and silver/ that no manifest entry names, and
  // temporaries (dot names) there and under _manifests/, last modified more
  // than `older_than` ago. Manifests and the writer lock are never touched.
  // REQUIRES: the caller holds LockWriters, or `older_than` is longer than
  // any writer takes to commit what it writes (another writer's files are
  // unreferenced until it commits). Errors: kIo, kData (a corrupt manifest:
  // then nothing is removed).
  Result<Leftovers> RemoveLeftovers(std::chrono::seconds older_than);
  // Removes the data files that compactions committed more than `older_than`
  // ago replaced (readers that listed the lake before the compaction may
  // still be reading them until then). `kept` counts replaced files younger
  // than that. Needs no writer lock: a replaced file is never used again.
  // Errors: kIo, kData (a corrupt manifest: then nothing is removed).
  Result<Leftovers> RemoveReplaced(std::chrono::seconds older_than);

 private:
  // The manifests of `batch_ids`, read one by one, in no particular order.
  Result<std::vector<ManifestEntry>> ReadManifests(const std::string& layer,
                                                   const std::vector<std::string>& batch_ids) const;
  // The entries of the newest snapshot of `layer` whose batch is in `wanted`
  // (none when there is no snapshot or it cannot be read).
  std::vector<ManifestEntry> ReadSnapshot(const std::string& layer,
                                          const std::unordered_set<std::string>& wanted) const;
  // Publishes `entries` as the newest snapshot of `layer`, then removes the
  // older ones (best effort: failures are logged).
  void WriteSnapshot(const std::string& layer, const std::vector<ManifestEntry>& entries) const;

  std::unique_ptr<Storage> storage_;
  Clock clock_;
  FaultHooks no_faults_;
  FaultHooks* faults_;
  std::size_t snapshot_after_;
};

// The entries of a layer committed since the last Read, for a process that
// looks again every few seconds: a Read lists the layer's manifests and reads
// only those it has not read before (a manifest never changes), where
// Lake::Entries reads every one, about 15 µs each (a few from a snapshot).
// Thread safety: none.
class NewEntries {
 public:
  explicit NewEntries(std::string layer) : layer_(std::move(layer)) {}
  // The entries committed since the last call (all of them the first time),
  // in commit order.
  Result<std::vector<ManifestEntry>> Read(const Lake& lake);
  // Counts the batch as read: one this process committed itself.
  void Seen(const std::string& batch_id) { read_.insert(batch_id); }

 private:
  std::string layer_;
  std::unordered_set<std::string> read_;  // batch ids
};

// The live data files of a layer (LiveFiles of its entries), kept up to date
// from NewEntries. Thread safety: none.
class LiveFileSet {
 public:
  explicit LiveFileSet(std::string layer) : entries_(std::move(layer)) {}
  // Takes the entries committed since the last call.
  Status Refresh(const Lake& lake);
  // LiveFiles of every entry read: in commit order.
  std::vector<DataFile> Files() const;
  bool Contains(const std::string& key) const { return live_.contains(key); }

 private:
  struct Live {
    std::int64_t committed_at_us;
    std::string input_path;
    std::size_t index;  // in its entry's files
    DataFile file;
  };
  NewEntries entries_;
  std::map<std::string, Live> live_;  // by key
};

}  // namespace playlake::lake
