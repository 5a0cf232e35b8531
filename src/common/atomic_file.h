// AtomicFile: a file that appears under its name whole or not at all.
//
// The bytes go to a temporary ".<name>.tmp-<random>" in the target's own
// folder (so the final step is a rename within one file system, and listings
// that skip dot files never show it). Commit then
//   1. fsyncs the temporary (fdatasync(2): its bytes and size),
//   2. closes it and renames it over the target (rename(2) is atomic: a reader
//      sees the old file or the new one, never a mix or a partial file),
//   3. fsyncs the folder, so the new entry survives a crash or power loss.
// CommitIfAbsent does the same with link(2) instead of rename(2): it never
// replaces an existing file, and of two concurrent writers exactly one wins.
// With Durability::kAtomicOnly both fsyncs are skipped: the file still
// appears whole or not at all to other processes (kill -9 included), but may
// be lost or empty after a power loss (tests and scratch data only).
//
// A writer destroyed before committing removes its temporary; a process killed
// mid-write leaves one behind (a dot file, removed by `playlake vacuum` in the
// lake). Errors are values from ErrnoError naming the file (kDiskFull when the
// disk is full). Thread safety: one thread at a time per AtomicFile.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include "common/result.h"

namespace playlake {

enum class Durability {
  kDurable,     // fsync file and folder: survives power loss
  kAtomicOnly,  // no fsync: survives a killed process, not a power loss
};

class AtomicFile {
 public:
  // Creates the temporary for `path` with permission bits `mode` (before the
  // umask), which the file keeps. REQUIRES: the folder of `path` exists.
  static Result<std::unique_ptr<AtomicFile>> Create(std::filesystem::path path,
                                                    Durability durability = Durability::kDurable,
                                                    unsigned mode = 0644);
  ~AtomicFile();  // removes the temporary unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  Status Append(std::string_view bytes);
  // Appends the parts in order (writev(2), 1,024 parts a call).
  Status AppendParts(std::span<const std::string_view> parts);

  // Replaces `path` with what was appended (steps 1-3 above). REQUIRES: called
  // at most once, after which nothing may be appended.
  Status Commit();
  // Publishes what was appended under `path` unless `path` exists: true when
  // published, false (and nothing changed) when it existed. REQUIRES: as Commit.
  Result<bool> CommitIfAbsent();

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temp_path() const { return temp_; }

 private:
  AtomicFile(std::filesystem::path path, std::filesystem::path temp, int fd, Durability durability);
  // Steps 1 and 2's close: the temporary is complete and closed.
  Status Finish();

  std::filesystem::path path_;
  std::filesystem::path temp_;
  int fd_;
  Durability durability_;
  bool temp_exists_ = true;
};

// Writes `bytes` as the whole content of `path` through an AtomicFile,
// creating missing folders first.
Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes,
                           Durability durability = Durability::kDurable);

}  // namespace playlake
