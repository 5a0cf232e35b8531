#include "common/file_io.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace playlake {

Error PathError(std::string_view what, const std::filesystem::path& path, int err) {
  return ErrnoError(fmt::format("{} {}", what, path.string()), err);
}

std::int64_t ModifiedNs(const std::filesystem::path& path) {
  std::error_code ec;
  const auto t = std::filesystem::last_write_time(path, ec);
  if (ec) return 0;
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::file_clock::to_sys(t).time_since_epoch())
      .count();
}

Status WriteFully(int fd, std::string_view bytes, std::string_view name) {
  return WriteFully(fd, std::span<const std::string_view>(&bytes, 1), name);
}

Status WriteFully(int fd, std::span<const std::string_view> parts, std::string_view name) {
  constexpr std::size_t kMaxIov = 1024;
  iovec iov[kMaxIov];
  std::size_t next = 0;
  while (next < parts.size()) {
    std::size_t count = 0;
    for (; count < kMaxIov && next + count < parts.size(); ++count) {
      iov[count].iov_base = const_cast<char*>(parts[next + count].data());
      iov[count].iov_len = parts[next + count].size();
    }
    iovec* cursor = iov;
    std::size_t left = count;
    while (left > 0) {
      const ssize_t n = ::writev(fd, cursor, static_cast<int>(left));
      if (n < 0) {
        if (errno == EINTR) continue;
        return tl::unexpected(ErrnoError(fmt::format("cannot write {}", name), errno));
      }
      auto written = static_cast<std::size_t>(n);
      while (left > 0 && written >= cursor->iov_len) {
        written -= cursor->iov_len;
        ++cursor;
        --left;
      }
      if (left > 0) {
        cursor->iov_base = static_cast<char*>(cursor->iov_base) + written;
        cursor->iov_len -= written;
      }
    }
    next += count;
  }
  return {};
}

Status SyncPath(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return tl::unexpected(
        ErrnoError(fmt::format("cannot open for fsync {}", path.string()), errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0)
    return tl::unexpected(ErrnoError(fmt::format("cannot fsync {}", path.string()), err));
  return {};
}

Status SyncFolder(const std::filesystem::path& folder) {
  return SyncPath(folder.empty() ? std::filesystem::path(".") : folder);
}

}  // namespace playlake
