#include "common/file_lock.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <random>

#include "common/file_io.h"

namespace playlake {
namespace fs = std::filesystem;

FileLock::~FileLock() { ::close(fd_); }  // closing releases the flock

Result<std::unique_ptr<FileLock>> FileLock::Open(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return tl::unexpected(PathError("cannot open", path, errno));
  return std::unique_ptr<FileLock>(new FileLock(fd));
}

std::string FileLock::Content() const {
  char text[128] = {};
  const ssize_t n = ::pread(fd_, text, sizeof text, 0);
  return n > 0 ? std::string(text, static_cast<std::size_t>(n)) : std::string();
}

std::string FileLock::Holder() const {
  const std::string text = Content();
  return text.empty() ? "another process" : text.substr(0, text.find('\n'));
}

Status FileLock::Sign(const fs::path& path) {
  found_ = Content();
  std::random_device random;
  signature_ = fmt::format("process {}\n{:08x}{:08x}\n", ::getpid(), random(), random());
  if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, signature_.data(), signature_.size(), 0) < 0) {
    return tl::unexpected(PathError("cannot write", path, errno));
  }
  return {};
}

Result<std::unique_ptr<FileLock>> FileLock::Acquire(
    const fs::path& path, const std::function<void(const std::string& holder)>& on_wait) {
  auto lock = Open(path);
  if (!lock) return lock;
  const int fd = (*lock)->fd_;
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return tl::unexpected(PathError("cannot lock", path, errno));
    on_wait((*lock)->Holder());
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return tl::unexpected(PathError("cannot lock", path, errno));
    }
  }
  if (auto s = (*lock)->Sign(path); !s) return tl::unexpected(s.error());
  return lock;
}

Result<std::unique_ptr<FileLock>> FileLock::TryAcquire(const fs::path& path, std::string& holder) {
  auto lock = Open(path);
  if (!lock) return lock;
  if (::flock((*lock)->fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return tl::unexpected(PathError("cannot lock", path, errno));
    holder = (*lock)->Holder();
    return nullptr;
  }
  if (auto s = (*lock)->Sign(path); !s) return tl::unexpected(s.error());
  return lock;
}

}  // namespace playlake
