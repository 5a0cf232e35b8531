// FileLock: an exclusive lock across processes on a local file, for "one at a
// time" (one writer of a lake, one run or scheduler of a project, one build of
// a warehouse).
//
// It is flock(2) on the file (created if missing), so the kernel releases it
// however the holder ends, kill -9 included, and two opens of the file in one
// process conflict as two processes do. The holder writes "process <pid>"
// into the file, and whoever waits is told that; then, on a line of its own,
// a random token of this hold, so a later holder can tell whether anyone held
// the lock since a hold it knows (signature(), found()). The lock is held until
// the FileLock is destroyed. Errors are values from ErrnoError naming the file.
// Thread safety: a FileLock is not shared; Acquire and TryAcquire may be
// called from any thread.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"

namespace playlake {

class FileLock {
 public:
  // Takes the lock on `path`. Waits while another holder has it, calling
  // `on_wait` once before waiting with what the holder wrote ("process 123").
  static Result<std::unique_ptr<FileLock>> Acquire(
      const std::filesystem::path& path,
      const std::function<void(const std::string& holder)>& on_wait);

  // Takes the lock on `path` if it is free. Returns null when another holder
  // has it, and then `holder` says who.
  static Result<std::unique_ptr<FileLock>> TryAcquire(const std::filesystem::path& path,
                                                      std::string& holder);

  ~FileLock();  // releases the lock
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // What this hold wrote into the file: unique to it.
  const std::string& signature() const { return signature_; }
  // What the file held when this hold began: the signature of the hold
  // before it (by any process), or what an older playlake wrote, or nothing.
  const std::string& found() const { return found_; }

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  static Result<std::unique_ptr<FileLock>> Open(const std::filesystem::path& path);
  // The file's content.
  std::string Content() const;
  // Who holds the lock: the file's first line.
  std::string Holder() const;
  // Writes who holds the lock into its file, for those who wait, and this
  // hold's token; keeps what was there in found_.
  Status Sign(const std::filesystem::path& path);

  int fd_;
  std::string signature_;
  std::string found_;
};

}  // namespace playlake
