#include "common/atomic_file.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "common/file_io.h"

namespace playlake {
namespace fs = std::filesystem;

Result<std::unique_ptr<AtomicFile>> AtomicFile::Create(fs::path path, Durability durability,
                                                       unsigned mode) {
  // A random name: two writers of the same file never share a temporary.
  std::random_device random;
  fs::path temp = path.parent_path() /
                  fmt::format(".{}.tmp-{:08x}{:08x}", path.filename().string(), random(), random());
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return tl::unexpected(PathError("cannot create", temp, errno));
  return std::unique_ptr<AtomicFile>(
      new AtomicFile(std::move(path), std::move(temp), fd, durability));
}

AtomicFile::AtomicFile(fs::path path, fs::path temp, int fd, Durability durability)
    : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), durability_(durability) {}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0) ::close(fd_);
  if (temp_exists_) ::unlink(temp_.c_str());
}

Status AtomicFile::Append(std::string_view bytes) { return WriteFully(fd_, bytes, path_.string()); }

Status AtomicFile::AppendParts(std::span<const std::string_view> parts) {
  return WriteFully(fd_, parts, path_.string());
}

Status AtomicFile::Finish() {
  if (durability_ == Durability::kDurable && ::fdatasync(fd_) != 0) {
    return tl::unexpected(PathError("cannot fsync", temp_, errno));
  }
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) return tl::unexpected(PathError("cannot write", path_, errno));
  return {};
}

Status AtomicFile::Commit() {
  if (auto s = Finish(); !s) return s;
  if (::rename(temp_.c_str(), path_.c_str()) != 0) {
    return tl::unexpected(
        PathError(fmt::format("cannot rename {} to", temp_.string()), path_, errno));
  }
  temp_exists_ = false;
  if (durability_ == Durability::kAtomicOnly) return {};
  return SyncFolder(path_.parent_path());
}

Result<bool> AtomicFile::CommitIfAbsent() {
  if (auto s = Finish(); !s) return tl::unexpected(s.error());
  // link(2) is the atomic create-if-absent: it never replaces an existing file.
  const int rc = ::link(temp_.c_str(), path_.c_str());
  const int err = errno;
  ::unlink(temp_.c_str());
  temp_exists_ = false;
  if (rc != 0) {
    if (err == EEXIST) return false;
    return tl::unexpected(PathError("cannot publish", path_, err));
  }
  if (durability_ == Durability::kDurable) {
    if (auto s = SyncFolder(path_.parent_path()); !s) return tl::unexpected(s.error());
  }
  return true;
}

Status WriteFileAtomically(const fs::path& path, std::string_view bytes, Durability durability) {
  if (path.has_parent_path()) {
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      return tl::unexpected(PathError("cannot create folder", path.parent_path(), ec.value()));
  }
  auto file = AtomicFile::Create(path, durability);
  if (!file) return tl::unexpected(file.error());
  if (auto s = (*file)->Append(bytes); !s) return s;
  return (*file)->Commit();
}

}  // namespace playlake
