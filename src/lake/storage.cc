#include "lake/storage.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace playlake::lake {
namespace fs = std::filesystem;
namespace {

Error IoError(std::string_view what, const fs::path& path, int err) {
  return ErrnoError(fmt::format("{} {}", what, path.string()), err);
}

// Creates every missing folder of `dir` and fsyncs the parents it created into,
// so a new folder entry is durable before files inside it are published.
Status MakeFolders(const fs::path& dir, bool durable) {
  if (dir.empty()) return {};
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (auto s = MakeFolders(dir.parent_path(), durable); !s) return s;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return tl::unexpected(IoError("cannot create folder", dir, errno));
  }
  return durable ? SyncFolder(dir.parent_path()) : Status();
}

class LocalWriterLock final : public WriterLock {
 public:
  explicit LocalWriterLock(int fd) : fd_(fd) {}
  ~LocalWriterLock() override { ::close(fd_); }  // closing releases the flock
  int fd() const { return fd_; }

 private:
  int fd_;
};

class LocalWritableFile final : public WritableFile {
 public:
  LocalWritableFile(int fd, fs::path path, bool durable, bool sync_folder)
      : fd_(fd), path_(std::move(path)), durable_(durable), sync_folder_(sync_folder) {}
  ~LocalWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view bytes) override {
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return tl::unexpected(IoError("cannot write", path_, errno));
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
      size_ += static_cast<std::uint64_t>(n);
    }
    return {};
  }
  Status Sync() override {
    if (!durable_) return {};
    if (::fdatasync(fd_) != 0) return tl::unexpected(IoError("cannot fsync", path_, errno));
    return sync_folder_ ? SyncFolder(path_.parent_path()) : Status();
  }
  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return tl::unexpected(IoError("cannot close", path_, errno));
    return {};
  }
  std::uint64_t size() const override { return size_; }

 private:
  int fd_;
  fs::path path_;
  bool durable_;
  bool sync_folder_;  // false for temporaries that are linked into place later
  std::uint64_t size_ = 0;
};

class LocalReadableFile final : public ReadableFile {
 public:
  LocalReadableFile(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~LocalReadableFile() override { ::close(fd_); }
  Result<std::size_t> Read(char* buffer, std::size_t n) override {
    while (true) {
      const ssize_t got = ::read(fd_, buffer, n);
      if (got >= 0) return static_cast<std::size_t>(got);
      if (errno != EINTR) return tl::unexpected(IoError("cannot read", path_, errno));
    }
  }

 private:
  int fd_;
  fs::path path_;
};

Status SyncPath(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(IoError("cannot open for fsync", path, errno));
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return tl::unexpected(IoError("cannot fsync", path, err));
  return {};
}

}  // namespace

Status SyncFolder(const fs::path& folder) { return SyncPath(folder.empty() ? "." : folder); }

namespace {

Result<std::unique_ptr<LocalWriterLock>> OpenLock(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return tl::unexpected(IoError("cannot open", path, errno));
  return std::make_unique<LocalWriterLock>(fd);
}

// Who holds the lock of `fd`, as the holder wrote it.
std::string HolderOf(int fd) {
  char name[64] = {};
  const ssize_t n = ::pread(fd, name, sizeof name - 1, 0);
  return n > 0 ? std::string(name, static_cast<std::size_t>(n)) : "another process";
}

// Writes who holds the lock into its file, for those who wait.
Result<std::unique_ptr<WriterLock>> Sign(std::unique_ptr<LocalWriterLock> lock,
                                         const fs::path& path) {
  const std::string me = fmt::format("process {}", ::getpid());
  if (::ftruncate(lock->fd(), 0) != 0 || ::pwrite(lock->fd(), me.data(), me.size(), 0) < 0) {
    return tl::unexpected(IoError("cannot write", path, errno));
  }
  return lock;
}

}  // namespace

Result<std::unique_ptr<WriterLock>> LockFile(
    const fs::path& path, const std::function<void(const std::string& holder)>& on_wait) {
  auto lock = OpenLock(path);
  if (!lock) return tl::unexpected(lock.error());
  const int fd = (*lock)->fd();
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return tl::unexpected(IoError("cannot lock", path, errno));
    on_wait(HolderOf(fd));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return tl::unexpected(IoError("cannot lock", path, errno));
    }
  }
  return Sign(std::move(*lock), path);
}

Result<std::unique_ptr<WriterLock>> TryLockFile(const fs::path& path, std::string& holder) {
  auto lock = OpenLock(path);
  if (!lock) return tl::unexpected(lock.error());
  if (::flock((*lock)->fd(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK) return tl::unexpected(IoError("cannot lock", path, errno));
    holder = HolderOf((*lock)->fd());
    return nullptr;
  }
  return Sign(std::move(*lock), path);
}

Result<std::unique_ptr<ReadableFile>> OpenLocalFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return Fail(ErrorCode::kNotFound, fmt::format("no such file: {}", path.string()));
    }
    return tl::unexpected(IoError("cannot open", path, err));
  }
  return std::unique_ptr<ReadableFile>(std::make_unique<LocalReadableFile>(fd, path));
}

LocalStorage::LocalStorage(fs::path root, bool durable)
    : root_(std::move(root)), durable_(durable) {}

std::string LocalStorage::Url(const std::string& key) const { return (root_ / key).string(); }

Result<std::unique_ptr<WritableFile>> LocalStorage::Create(const std::string& key) {
  const fs::path path = root_ / key;
  if (auto s = MakeFolders(path.parent_path(), durable_); !s) return tl::unexpected(s.error());
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return tl::unexpected(IoError("cannot create", path, errno));
  return std::unique_ptr<WritableFile>(
      std::make_unique<LocalWritableFile>(fd, path, durable_, true));
}

Result<std::unique_ptr<ReadableFile>> LocalStorage::Open(const std::string& key) const {
  return OpenLocalFile(root_ / key);
}

Result<std::string> LocalStorage::ReadAll(const std::string& key) const {
  auto file = Open(key);
  if (!file) return tl::unexpected(file.error());
  std::string text;
  char buffer[1 << 16];
  while (true) {
    auto n = (*file)->Read(buffer, sizeof buffer);
    if (!n) return tl::unexpected(n.error());
    if (*n == 0) break;
    text.append(buffer, *n);
  }
  return text;
}

Result<std::unique_ptr<WriterLock>> LocalStorage::LockWriters(
    const std::function<void(const std::string& holder)>& on_wait) {
  if (auto s = MakeFolders(root_, durable_); !s) return tl::unexpected(s.error());
  return LockFile(root_ / ".writer.lock", on_wait);  // a dot name: List never returns it
}

Result<bool> LocalStorage::PublishIfAbsent(const std::string& key, std::string_view bytes) {
  const fs::path path = root_ / key;
  if (auto s = MakeFolders(path.parent_path(), durable_); !s) return tl::unexpected(s.error());
  // Unique temporary name: two writers of the same key never share it.
  std::random_device random;
  const fs::path temp =
      path.parent_path() /
      fmt::format(".{}.tmp-{:08x}{:08x}", path.filename().string(), random(), random());
  {
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return tl::unexpected(IoError("cannot create", temp, errno));
    LocalWritableFile file(fd, temp, durable_, false);
    Status s = file.Append(bytes);
    if (s) s = file.Sync();
    if (s) s = file.Close();
    if (!s) {
      ::unlink(temp.c_str());
      return tl::unexpected(s.error());
    }
  }
  // link(2) is the atomic create-if-absent: it never replaces an existing key.
  const int rc = ::link(temp.c_str(), path.c_str());
  const int err = errno;
  ::unlink(temp.c_str());
  if (rc != 0) {
    if (err == EEXIST) return false;
    return tl::unexpected(IoError("cannot publish", path, err));
  }
  if (durable_) {
    if (auto s = SyncFolder(path.parent_path()); !s) return tl::unexpected(s.error());
  }
  return true;
}

Result<bool> LocalStorage::Exists(const std::string& key) const {
  struct stat st {};
  if (::stat((root_ / key).c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return tl::unexpected(IoError("cannot stat", root_ / key, errno));
}

Result<std::vector<std::string>> LocalStorage::List(const std::string& prefix) const {
  std::vector<std::string> keys;
  const fs::path dir = root_ / prefix;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return keys;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.starts_with(".")) continue;  // temporaries of PublishIfAbsent
    keys.push_back(it->path().lexically_relative(root_).generic_string());
  }
  if (ec) return tl::unexpected(IoError("cannot list", dir, ec.value()));
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status LocalStorage::PrepareFolder(const std::string& key) {
  return MakeFolders(root_ / key, durable_);
}

Status LocalStorage::SyncExisting(const std::string& key) {
  if (!durable_) return {};
  return SyncPath(root_ / key);
}

Result<std::vector<ObjectInfo>> LocalStorage::ListAll(const std::string& prefix) const {
  std::vector<ObjectInfo> objects;
  const fs::path dir = root_ / prefix;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return objects;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const auto modified = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    objects.push_back({it->path().lexically_relative(root_).generic_string(),
                       static_cast<std::uint64_t>(st.st_size), modified});
  }
  if (ec) return tl::unexpected(IoError("cannot list", dir, ec.value()));
  return objects;
}

Status LocalStorage::Remove(const std::string& key) {
  if (::unlink((root_ / key).c_str()) != 0 && errno != ENOENT) {
    return tl::unexpected(IoError("cannot remove", root_ / key, errno));
  }
  return {};
}

}  // namespace playlake::lake
