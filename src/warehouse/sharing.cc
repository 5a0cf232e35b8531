#include "warehouse/sharing.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "common/file_io.h"
#include "common/file_lock.h"

namespace playlake::warehouse {
namespace fs = std::filesystem;
namespace {

fs::path Beside(const fs::path& file, const std::string& suffix) {
  return file.parent_path() / ("." + file.filename().string() + suffix);
}
fs::path LockPath(const fs::path& file) { return Beside(file, ".lock"); }
fs::path CopyPath(const fs::path& file) { return Beside(file, ".building"); }
fs::path WalOf(const fs::path& file) { return file.string() + ".wal"; }

Error IoError(const std::string& what, const fs::path& path, const std::error_code& ec) {
  // std::filesystem's codes are errno values: a full disk is classified as such.
  return PathError(what, path, ec.value());
}

// The process holding DuckDB's lock on `file`, if any. DuckDB locks the whole
// file with fcntl(2): a shared lock when it opens read-only, an exclusive one
// for writing. (fcntl locks belong to a process and closing any of its
// descriptors of a file drops them: call this only for a file this process
// has not opened with DuckDB.)
struct Holder {
  bool writes;
  pid_t pid;
};
std::optional<Holder> HolderOf(const fs::path& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock probe {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const int rc = ::fcntl(fd, F_GETLK, &probe);
  ::close(fd);
  if (rc != 0 || probe.l_type == F_UNLCK) return std::nullopt;
  return Holder{probe.l_type == F_WRLCK, probe.l_pid};
}

std::uint64_t InodeOf(const fs::path& file) {
  struct stat st {};
  return ::stat(file.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_ino) : 0;
}

void RemoveCopy(const fs::path& copy) {
  std::error_code ec;
  fs::remove(copy, ec);
  fs::remove(WalOf(copy), ec);
}

Result<std::unique_ptr<FileLock>> TakeTurn(const fs::path& file) {
  return FileLock::Acquire(LockPath(file), [&](const std::string& holder) {
    spdlog::info("another build of {} ({}) is going; waiting for it to finish", file.string(),
                 holder);
  });
}

// A build commits once per model; at DuckDB's default threshold (16 MB of
// WAL) a commit now and then checkpoints the whole file, several times a
// build. With a threshold no build reaches, the one checkpoint is when Finish
// closes the database: the nodes after new plays no longer wait 1-2 s each
// for one (bench/pipeline.sh).
//
// Text is stored without FSST (DuckDB's compression of strings no dictionary
// holds: ids, names). Building its symbol tables and compressing with them
// was a quarter of inserting a day of plays into fct_plays; without it the
// full build of the benchmark took 21.8 s instead of 23.5 s (four runs each,
// alternated), the runs after new plays 2-3 % less, for a warehouse 16 %
// larger (781 MB instead of 670 MB), whose queries read their text as fast or
// faster (docs/architecture.md).
Status SetBuildSettings(Database& db) {
  auto conn = db.Connect();
  if (!conn) return tl::unexpected(conn.error());
  return (*conn)->Execute(
      "SET checkpoint_threshold = '1TB'; SET disabled_compression_methods = 'fsst'");
}

}  // namespace

struct Writer::Lock {
  std::unique_ptr<FileLock> held;
};

Writer::Writer(fs::path file, std::unique_ptr<Lock> lock)
    : file_(std::move(file)), lock_(std::move(lock)) {}

Writer::~Writer() {
  db_.reset();
  if (!copy_.empty()) RemoveCopy(copy_);
}

Result<std::unique_ptr<Writer>> Writer::Open(const fs::path& file, const DatabaseOptions& options) {
  auto turn = TakeTurn(file);
  if (!turn) return tl::unexpected(turn.error());
  std::unique_ptr<Writer> writer(new Writer(file, std::make_unique<Lock>(Lock{std::move(*turn)})));
  RemoveCopy(CopyPath(file));  // left by a build that crashed (this one holds the turn)
  auto in_place = Database::Open(file.string(), options);
  if (in_place) {
    writer->db_ = std::move(*in_place);
    if (auto s = SetBuildSettings(*writer->db_); !s) return tl::unexpected(s.error());
    return writer;
  }
  const auto holder = HolderOf(file);
  if (!holder || holder->writes) return tl::unexpected(in_place.error());
  spdlog::info(
      "{} is open for reading by process {} (playlake serve or sql --gold): building a "
      "copy, swapped in when the build ends",
      file.string(), holder->pid);
  writer->copy_ = CopyPath(file);
  std::error_code ec;
  fs::copy_file(file, writer->copy_, ec);
  if (ec) return tl::unexpected(IoError("cannot copy", file, ec));
  // A build that crashed in place leaves its last commits in the WAL, and the
  // readers see them: so does the copy.
  if (fs::exists(WalOf(file))) {
    fs::copy_file(WalOf(file), WalOf(writer->copy_), ec);
    if (ec) return tl::unexpected(IoError("cannot copy", WalOf(file), ec));
  }
  auto copy = Database::Open(writer->copy_.string(), options);
  if (!copy) return tl::unexpected(copy.error());
  writer->db_ = std::move(*copy);
  if (auto s = SetBuildSettings(*writer->db_); !s) return tl::unexpected(s.error());
  return writer;
}

Status Writer::Finish() {
  db_.reset();
  return Publish();
}

Status Writer::FinishBeforeExit() {
  {
    auto conn = db_->Connect();
    if (!conn) return tl::unexpected(conn.error());
    if (auto s = (*conn)->Execute("CHECKPOINT"); !s) return s;
  }
  // Never destroyed, and reachable, so leak checkers do not report them.
  struct LeftOpen {
    std::unique_ptr<Database> db;
    std::unique_ptr<Lock> lock;
  };
  static auto* left_open = new std::vector<LeftOpen>;
  left_open->push_back({std::move(db_), std::move(lock_)});
  return Publish();
}

Status Writer::Publish() {
  if (copy_.empty()) return {};
  if (auto s = SyncPath(copy_); !s) return s;
  std::error_code ec;
  // The file's own WAL (see Open) is in the copy now; left beside the new
  // file it would be replayed into it.
  fs::remove(WalOf(file_), ec);
  fs::rename(copy_, file_, ec);
  if (ec) return tl::unexpected(IoError("cannot rename the new build over", file_, ec));
  if (fs::exists(WalOf(copy_))) fs::rename(WalOf(copy_), WalOf(file_), ec);
  copy_.clear();
  return SyncFolder(file_.parent_path());
}

Status OpenWhenReadable(const fs::path& file, const std::function<Status()>& open) {
  Status opened = open();
  if (opened) return opened;
  const auto holder = HolderOf(file);
  if (!holder || !holder->writes) return opened;
  auto turn = TakeTurn(file);  // the build holds it until it ends
  if (!turn) return tl::unexpected(turn.error());
  return open();
}

Reader::Reader(fs::path file, DatabaseOptions options, std::chrono::milliseconds recheck)
    : file_(std::move(file)), options_(std::move(options)), recheck_(recheck) {}

Result<std::unique_ptr<Reader>> Reader::Open(fs::path file, DatabaseOptions options,
                                             std::chrono::milliseconds recheck) {
  options.read_only = true;
  std::unique_ptr<Reader> reader(new Reader(std::move(file), std::move(options), recheck));
  Status opened = OpenWhenReadable(reader->file_, [&]() -> Status {
    reader->inode_ = InodeOf(reader->file_);
    auto db = Database::Open(reader->file_.string(), reader->options_);
    if (!db) return tl::unexpected(db.error());
    reader->db_ = std::move(*db);
    return {};
  });
  if (!opened) return tl::unexpected(opened.error());
  reader->checked_ = std::chrono::steady_clock::now();
  return reader;
}

Reader::Snapshot Reader::Current() {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (now - checked_ >= recheck_) {
    checked_ = now;
    const std::uint64_t inode = InodeOf(file_);
    if (inode != 0 && inode != inode_) {
      auto db = Database::Open(file_.string(), options_);
      if (db) {
        db_ = std::move(*db);
        inode_ = inode;
        ++generation_;
        spdlog::info("{} was rebuilt: answering from the new build", file_.string());
      } else {
        spdlog::debug("{} was rebuilt but does not open yet: {}", file_.string(),
                      db.error().message);
      }
    }
  }
  return Snapshot{db_, generation_};
}

}  // namespace playlake::warehouse
