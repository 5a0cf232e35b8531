// Small POSIX file helpers shared by the writers: whole writes that resume
// after short writes and EINTR, and fsync by path.
//
// Errors are values built by ErrnoError (common/result.h): kDiskFull for
// ENOSPC/EDQUOT, kNotFound for ENOENT, kIo otherwise; the message names the
// file. Thread safety: as the file descriptor's.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string_view>

#include "common/result.h"

namespace playlake {

// ErrnoError for a failed call on a file: "<what> <path>: <strerror(err)>",
// e.g. PathError("cannot create", "/x/y", errno).
Error PathError(std::string_view what, const std::filesystem::path& path, int err);

// Writes all of `bytes` to `fd`. `name` is what an error message calls the
// file ("/x/y", "stdout").
Status WriteFully(int fd, std::string_view bytes, std::string_view name);

// Writes all parts in order, batching them into writev(2) calls of up to
// 1,024 parts.
Status WriteFully(int fd, std::span<const std::string_view> parts, std::string_view name);

// When `path` was last modified, in ns since the epoch; 0 when the file system
// cannot tell (no such file).
std::int64_t ModifiedNs(const std::filesystem::path& path);

// fsync(2) of the file or folder at `path`.
Status SyncPath(const std::filesystem::path& path);

// fsyncs a folder so an entry created, renamed or removed in it survives a
// crash. An empty path means the current folder.
Status SyncFolder(const std::filesystem::path& folder);

}  // namespace playlake
