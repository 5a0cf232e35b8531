// KeyIndex: the dedupe keys of the rows the lake holds, per table and
// partition folder (a day of plays: "event_date=2026-01-05"; "" for an
// unpartitioned table), loaded lazily and kept within a byte budget.
//
//   KeyIndex index(256 << 20);
//   index.AddFile(table, url);                  // committed files (from the manifests)
//   auto keys = index.Keys(table, folder, read);   // loads the folder's keys once
//   (*keys)->Contains(hash);
//   index.AddBatch(table, files, keys);        // after committing a batch
//
// A key is the 64-bit hash of the row's key column (ColumnBatch::KeyHash).
// A folder's keys are read from its committed files the first time a row of
// that folder is looked up; after that each commit adds its own keys, so no
// committed file is read twice. When the loaded folders pass the budget, the
// least recently used ones are dropped (never the one being looked up); a
// later row of a dropped folder reads its files again, once. So memory is at
// most the budget plus the keys of the folder being read (the others are
// dropped once it is in), and a folder that alone holds more than the
// budget stays while it is used (8 bytes a slot, 2 to 4 slots a key: 16 to
// 32 bytes a key).
//
// A lookup of a few rows in a folder whose keys are not in memory can probe
// its files for those keys alone (Probe) instead: it reads the key column
// all the same but builds no set, which pays when the folder is looked up
// once (a run's late plays on older days). A folder probed before is read
// whole at its next lookup, so a folder looked up again and again costs at
// most one probe more than reading it.
//
// Files added by someone else (AddFile of a file the index does not know)
// are read at the folder's next lookup, those files only, and their keys
// added to the loaded ones: the index never misses a committed key, and a
// folder two writers fill is not read again whole for each file of the
// other's (which made two stream workers of one group drain a day's backlog
// slower than one). A compaction's files hold the same keys as those they
// replace (ReplaceFiles keeps the loaded keys; a replaced file not read yet
// has its replacements read instead).
//
// Thread safety: none.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "silver/hash_set.h"
#include "sources/tables.h"

namespace playlake::silver {

class KeyIndex {
 public:
  // Default budget: 256 MiB (about 8 to 16 million keys).
  static constexpr std::size_t kDefaultBudgetBytes = std::size_t{256} << 20;
  // Reads column `key_column` of the Parquet `files`, calling `each` with
  // every non-NULL value (only those in `only`, when it is not empty).
  using Reader = std::function<Status(
      const std::vector<std::string>& files, std::string_view key_column,
      std::span<const std::string_view> only, const std::function<void(std::string_view)>& each)>;

  explicit KeyIndex(std::size_t budget_bytes = kDefaultBudgetBytes) : budget_(budget_bytes) {}

  // The partition value of a row whose partition column is NULL (or of a
  // table without one).
  static constexpr std::int64_t kNoPartition = std::numeric_limits<std::int64_t>::min();
  // The folder of a committed file of `spec` (URL or key): "" for an
  // unpartitioned table, else its "column=value" path segment.
  static std::string FolderOf(const sources::TableSpec& spec, std::string_view file);
  // The folder of a row of `spec` whose partition value is `days` (a DATE:
  // days since 1970-01-01, or kNoPartition): the one its file is written to.
  static std::string FolderFor(const sources::TableSpec& spec, std::int64_t days);

  // A committed file of table `t` (index in sources::AllTables()). A file the
  // index already knows is ignored; a new one of a loaded folder is read at
  // that folder's next Keys(), alone.
  void AddFile(int t, const std::string& url);
  // A compaction replaced files by `added` (the same rows): the loaded keys stay.
  void ReplaceFiles(int t, const std::set<std::string>& replaced,
                    const std::vector<std::string>& added);
  // A batch this process just committed: its files (URLs) and the keys of
  // its rows by folder, added to the folders that are loaded.
  void AddBatch(int t, const std::vector<std::string>& files,
                std::map<std::string, HashSet64>& keys);

  // The keys of the committed rows of table `t` in `folder`, read from its
  // files first when they are not in memory. The set stays valid until the
  // next call that changes the index.
  Result<const HashSet64*> Keys(int t, const std::string& folder, const Reader& read);

  // Whether a lookup of a few rows of `folder` had better Probe than read
  // its keys with Keys: they are not in memory, it has files, and it was
  // not probed before.
  bool ShouldProbe(int t, const std::string& folder) const;
  // Which of `keys` (values of the key column) the committed rows of table
  // `t` in `folder` hold, read from its files: their hashes.
  Result<HashSet64> Probe(int t, const std::string& folder, std::span<const std::string_view> keys,
                          const Reader& read);

  std::size_t bytes() const { return bytes_; }
  std::size_t budget() const { return budget_; }
  std::int64_t loads() const { return loads_; }                // folders read from their files
  std::int64_t unread_files() const { return unread_files_; }  // other writers' files read
  std::int64_t evictions() const { return evictions_; }  // loaded folders dropped for the budget
  std::int64_t probes() const { return probes_; }        // folders probed for a few keys (Probe)

 private:
  struct Folder {
    std::set<std::string> files;
    std::optional<HashSet64> keys;    // nullopt: not in memory
    std::vector<std::string> unread;  // with keys: files of `files` whose keys are not in them
    std::uint64_t used = 0;           // last lookup (use_ tick)
    bool probed = false;
  };
  using FolderKey = std::pair<int, std::string>;
  void Unload(Folder& folder);
  void Evict(const Folder* keep);

  std::size_t budget_;
  std::size_t bytes_ = 0;
  std::uint64_t use_ = 0;
  std::int64_t loads_ = 0, unread_files_ = 0, evictions_ = 0, probes_ = 0;
  std::map<FolderKey, Folder> folders_;
};

}  // namespace playlake::silver
