#include "sim/sink.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/atomic_file.h"
#include "common/file_io.h"
#include "sim/civil_time.h"

namespace playlake::sim {
namespace {

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
    return WriteFully(fd_, parts, name_);
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
    return file_->AppendParts(parts);
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
    return file_->AppendParts(parts);
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

}  // namespace playlake::sim
