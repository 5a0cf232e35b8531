#include "lake/storage.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "common/atomic_file.h"
#include "common/file_io.h"
#include "common/file_lock.h"

namespace playlake::lake {
namespace fs = std::filesystem;
namespace {

// Creates every missing folder of `dir` and fsyncs the parents it created into,
// so a new folder entry is durable before files inside it are published.
Status MakeFolders(const fs::path& dir, bool durable) {
  if (dir.empty()) return {};
  std::error_code ec;
  if (fs::is_directory(dir, ec)) return {};
  if (auto s = MakeFolders(dir.parent_path(), durable); !s) return s;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
    return tl::unexpected(PathError("cannot create folder", dir, errno));
  }
  return durable ? SyncFolder(dir.parent_path()) : Status();
}

// The lake's writer lock on a local folder: a FileLock on a file at the root.
class LocalWriterLock final : public WriterLock {
 public:
  explicit LocalWriterLock(std::unique_ptr<FileLock> lock) : lock_(std::move(lock)) {}
  std::string Mark() const override { return lock_->signature(); }
  bool NoneSince(const std::string& mark) const override {
    return !mark.empty() && lock_->found() == mark;
  }

 private:
  std::unique_ptr<FileLock> lock_;
};

class LocalWritableFile final : public WritableFile {
 public:
  LocalWritableFile(int fd, fs::path path, bool durable)
      : fd_(fd), path_(std::move(path)), durable_(durable) {}
  ~LocalWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view bytes) override {
    if (auto s = WriteFully(fd_, bytes, path_.string()); !s) return s;
    size_ += bytes.size();
    return {};
  }
  Status Sync() override {
    if (!durable_) return {};
    if (::fdatasync(fd_) != 0) return tl::unexpected(PathError("cannot fsync", path_, errno));
    return SyncFolder(path_.parent_path());
  }
  Status Close() override {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return tl::unexpected(PathError("cannot close", path_, errno));
    return {};
  }
  std::uint64_t size() const override { return size_; }

 private:
  int fd_;
  fs::path path_;
  bool durable_;
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
      if (errno != EINTR) return tl::unexpected(PathError("cannot read", path_, errno));
    }
  }

 private:
  int fd_;
  fs::path path_;
};

}  // namespace

Result<std::unique_ptr<ReadableFile>> OpenLocalFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    if (err == ENOENT) {
      return Fail(ErrorCode::kNotFound, fmt::format("no such file: {}", path.string()));
    }
    return tl::unexpected(PathError("cannot open", path, err));
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
  if (fd < 0) return tl::unexpected(PathError("cannot create", path, errno));
  return std::unique_ptr<WritableFile>(std::make_unique<LocalWritableFile>(fd, path, durable_));
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
  // A dot name: List never returns it.
  auto lock = FileLock::Acquire(root_ / ".writer.lock", on_wait);
  if (!lock) return tl::unexpected(lock.error());
  return std::unique_ptr<WriterLock>(std::make_unique<LocalWriterLock>(std::move(*lock)));
}

Result<bool> LocalStorage::PublishIfAbsent(const std::string& key, std::string_view bytes) {
  const fs::path path = root_ / key;
  if (auto s = MakeFolders(path.parent_path(), durable_); !s) return tl::unexpected(s.error());
  auto file = AtomicFile::Create(path, durable_ ? Durability::kDurable : Durability::kAtomicOnly);
  if (!file) return tl::unexpected(file.error());
  if (auto s = (*file)->Append(bytes); !s) return tl::unexpected(s.error());
  return (*file)->CommitIfAbsent();
}

Result<bool> LocalStorage::Exists(const std::string& key) const {
  struct stat st {};
  if (::stat((root_ / key).c_str(), &st) == 0) return true;
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return tl::unexpected(PathError("cannot stat", root_ / key, errno));
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
  if (ec) return tl::unexpected(PathError("cannot list", dir, ec.value()));
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

Result<std::vector<ObjectInfo>> LocalStorage::ListAll(const std::string& prefix,
                                                     const NameFilter& only) const {
  std::vector<ObjectInfo> objects;
  const fs::path dir = root_ / prefix;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return objects;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (only && !only(it->path().filename().native())) continue;  // a folder too: still walked
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    const auto modified = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(st.st_mtim.tv_sec) +
            std::chrono::nanoseconds(st.st_mtim.tv_nsec)));
    objects.push_back({it->path().lexically_relative(root_).generic_string(),
                       static_cast<std::uint64_t>(st.st_size), modified});
  }
  if (ec) return tl::unexpected(PathError("cannot list", dir, ec.value()));
  return objects;
}

Status LocalStorage::Remove(const std::string& key) {
  if (::unlink((root_ / key).c_str()) != 0 && errno != ENOENT) {
    return tl::unexpected(PathError("cannot remove", root_ / key, errno));
  }
  return {};
}

}  // namespace playlake::lake
