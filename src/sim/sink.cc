#include "sim/sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sim/civil_time.h"

namespace playlake::sim {
namespace {

Status WriteAll(int fd, std::string_view bytes, const std::string& what) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(ErrorCode::kIo, fmt::format("cannot write {}: {}", what, std::strerror(errno)));
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// One output file written under "<dir>/.<name>.tmp-<pid>" and renamed on Commit.
// Writes all parts, batching them into writev calls and resuming after
// partial writes.
Status WriteAllParts(int fd, std::span<const std::string_view> parts, const std::string& what) {
  constexpr size_t kMaxIov = 1024;
  iovec iov[kMaxIov];
  size_t next = 0;
  while (next < parts.size()) {
    size_t count = 0;
    for (; count < kMaxIov && next + count < parts.size(); ++count) {
      iov[count].iov_base = const_cast<char*>(parts[next + count].data());
      iov[count].iov_len = parts[next + count].size();
    }
    iovec* cursor = iov;
    size_t left = count;
    while (left > 0) {
      const ssize_t n = ::writev(fd, cursor, static_cast<int>(left));
      if (n < 0) {
        if (errno == EINTR) continue;
        return Fail(ErrorCode::kIo, fmt::format("cannot write {}: {}", what, std::strerror(errno)));
      }
      auto written = static_cast<size_t>(n);
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

class AtomicFile {
 public:
  static Result<std::unique_ptr<AtomicFile>> Create(const std::filesystem::path& path) {
    auto file = std::unique_ptr<AtomicFile>(new AtomicFile());
    file->path_ = path;
    file->temp_ =
        path.parent_path() / fmt::format(".{}.tmp-{}", path.filename().string(), ::getpid());
    file->fd_ = ::open(file->temp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (file->fd_ < 0) {
      return Fail(ErrorCode::kIo,
                  fmt::format("cannot create {}: {}", file->temp_.string(), std::strerror(errno)));
    }
    return file;
  }
  ~AtomicFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(temp_.c_str());
  }
  Status Write(std::string_view bytes) { return WriteAll(fd_, bytes, path_.string()); }
  Status WriteParts(std::span<const std::string_view> parts) {
    return WriteAllParts(fd_, parts, path_.string());
  }
  Status Commit() {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0)
      return Fail(ErrorCode::kIo,
                  fmt::format("cannot write {}: {}", path_.string(), std::strerror(errno)));
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      return Fail(ErrorCode::kIo, fmt::format("cannot rename {} to {}: {}", temp_.string(),
                                              path_.string(), std::strerror(errno)));
    }
    committed_ = true;
    return {};
  }

 private:
  AtomicFile() = default;
  std::filesystem::path path_, temp_;
  int fd_ = -1;
  bool committed_ = false;
};

// stdout, or an existing device or pipe (/dev/null, a FIFO): written in
// place, since renaming over it would be wrong.
class StreamSink final : public Sink {
 public:
  StreamSink(int fd, std::string name, bool owned)
      : fd_(fd), name_(std::move(name)), owned_(owned) {}
  ~StreamSink() override {
    if (owned_) ::close(fd_);
  }
  Status StartDay(int64_t) override { return {}; }
  Status WriteParts(std::span<const std::string_view> parts) override {
    return WriteAllParts(fd_, parts, name_);
  }
  Status Flush() override { return {}; }
  Status Finish() override { return {}; }
  std::string Describe() const override { return name_; }

 private:
  int fd_;
  std::string name_;
  bool owned_;
};

class FileSink final : public Sink {
 public:
  explicit FileSink(std::unique_ptr<AtomicFile> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}
  Status StartDay(int64_t) override { return {}; }
  Status WriteParts(std::span<const std::string_view> parts) override {
    return file_->WriteParts(parts);
  }
  Status Flush() override { return {}; }
  Status Finish() override { return file_->Commit(); }
  std::string Describe() const override { return path_; }

 private:
  std::unique_ptr<AtomicFile> file_;
  std::string path_;
};

class DaySink final : public Sink {
 public:
  explicit DaySink(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Status StartDay(int64_t day) override {
    if (file_ && day == day_) return {};
    if (file_) {
      if (auto s = file_->Commit(); !s) return s;
    }
    day_ = day;
    auto file = AtomicFile::Create(dir_ / ("events-" + DateString(day) + ".jsonl"));
    if (!file) return tl::unexpected(file.error());
    file_ = std::move(*file);
    ++files_;
    return {};
  }
  Status WriteParts(std::span<const std::string_view> parts) override {
    if (!file_) return Fail(ErrorCode::kInternal, "DaySink::WriteParts before StartDay");
    return file_->WriteParts(parts);
  }
  Status Flush() override { return {}; }
  Status Finish() override {
    if (!file_) return {};
    auto s = file_->Commit();
    file_.reset();
    return s;
  }
  std::string Describe() const override {
    std::string dir = dir_.string();
    if (dir.empty() || dir.back() != '/') dir += '/';
    return fmt::format("{} ({} daily files)", dir, files_);
  }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<AtomicFile> file_;
  int64_t day_ = 0;
  int files_ = 0;
};

}  // namespace

Result<std::unique_ptr<Sink>> OpenSink(const std::string& out) {
  if (out == "-")
    return std::unique_ptr<Sink>(std::make_unique<StreamSink>(STDOUT_FILENO, "stdout", false));
  std::error_code ec;
  const std::filesystem::path path(out);
  if (!out.empty() && (out.back() == '/' || std::filesystem::is_directory(path, ec))) {
    std::filesystem::create_directories(path, ec);
    if (ec)
      return Fail(ErrorCode::kIo,
                  fmt::format("--out: cannot create directory {}: {}", out, ec.message()));
    return std::unique_ptr<Sink>(std::make_unique<DaySink>(path));
  }
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    const int fd = ::open(out.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0)
      return Fail(ErrorCode::kIo,
                  fmt::format("--out: cannot open {}: {}", out, std::strerror(errno)));
    return std::unique_ptr<Sink>(std::make_unique<StreamSink>(fd, out, true));
  }
  if (path.has_parent_path() && !std::filesystem::is_directory(path.parent_path(), ec)) {
    return Fail(ErrorCode::kIo,
                fmt::format("--out: folder {} does not exist", path.parent_path().string()));
  }
  auto file = AtomicFile::Create(path);
  if (!file) return tl::unexpected(file.error());
  return std::unique_ptr<Sink>(std::make_unique<FileSink>(std::move(*file), out));
}

Status WriteFileAtomically(const std::filesystem::path& path, std::string_view bytes) {
  auto file = AtomicFile::Create(path);
  if (!file) return tl::unexpected(file.error());
  if (auto s = (*file)->Write(bytes); !s) return s;
  return (*file)->Commit();
}

}  // namespace playlake::sim
