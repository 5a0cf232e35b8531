#include "s3/s3_storage.h"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <optional>
#include <random>
#include <thread>

#include "common/atomic_file.h"

namespace playlake::s3 {
namespace fs = std::filesystem;
namespace {

constexpr char kLockKey[] = "_lock/writers";

std::string Md5Hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_md5(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// Whether `bytes` are what S3 said it holds: an ETag of a single-part upload
// is the MD5 of the bytes; a multipart one ("…-N") is not checked.
bool MatchesEtag(std::string_view bytes, std::string etag) {
  std::erase(etag, '"');
  if (etag.size() != 32 || etag.find('-') != std::string::npos) return true;
  return Md5Hex(bytes) == etag;
}

std::string HostName() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

// Whether the lock object `body` names a process of this host that is gone
// (killed, crashed): its lease need not be waited out.
bool HolderDiedHere(const std::string& body) {
  const std::string marker = fmt::format("\"holder\": \"{} pid ", HostName());
  const std::size_t at = body.find(marker);
  if (at == std::string::npos) return false;
  const pid_t pid = std::atoi(body.c_str() + at + marker.size());
  return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
}

// What a holder writes into the lease when it gives it back: the next holder
// can tell whether it was this hold (`token`) that did.
std::string ReleaseBody(const std::string& holder, const std::string& token) {
  return fmt::format(R"({{"released_by": "{}", "hold": "{}"}})", holder, token);
}

}  // namespace

// The lease on kLockKey (see s3_storage.h), renewed until destroyed.
class S3WriterLock final : public lake::WriterLock {
 public:
  // `found`: the lease object as this hold found it (a release), or "".
  S3WriterLock(S3Storage& storage, std::string key, std::string holder, std::string etag,
               std::string found)
      : storage_(storage),
        client_(*storage.options_.client),
        key_(std::move(key)),
        holder_(std::move(holder)),
        etag_(std::move(etag)),
        found_(std::move(found)) {
    std::random_device random;
    token_ = fmt::format("{:08x}{:08x}", random(), random());
    renewer_ = std::thread([this, every = storage.options_.lease / 3] { Renew(every); });
  }
  std::string Mark() const override { return token_; }
  // The lease as the hold that returned `mark` gave it back, untouched since.
  bool NoneSince(const std::string& mark) const override {
    return !mark.empty() && found_ == ReleaseBody(holder_, mark);
  }
  // Checks, now, that the lease is still this writer's, renewing it on the
  // spot. Errors: kIo when another writer took it over while this one stalled.
  Status Confirm() {
    std::lock_guard lock(mutex_);
    if (!lost_) {
      // A body of its own each time, so the ETag that waiters watch changes.
      auto renewed = client_.Put(
          key_, fmt::format(R"({{"holder": "{}", "confirmation": {}}})", holder_, ++confirmations_),
          PutOptions::IfMatch(etag_));
      if (!renewed) return tl::unexpected(renewed.error());
      if (*renewed) {
        etag_ = **renewed;
        return {};
      }
      lost_ = true;
    }
    return Fail(ErrorCode::kIo,
                "the lake's writer lock was taken over by another writer while this one "
                "stalled longer than its lease; nothing more is committed under it");
  }
  ~S3WriterLock() override {
    {
      std::lock_guard held(storage_.lease_mutex_);
      storage_.lease_ = nullptr;
    }
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    renewer_.join();
    if (lost_) return;
    auto released = client_.Put(key_, ReleaseBody(holder_, token_), PutOptions::IfMatch(etag_));
    if (!released)
      spdlog::warn("could not give back the lake's writer lock: {}", released.error().message);
  }

 private:
  void Renew(std::chrono::milliseconds every) {
    std::unique_lock lock(mutex_);
    for (int n = 1; !wake_.wait_for(lock, every, [&] { return stop_; }); ++n) {
      auto renewed =
          client_.Put(key_, fmt::format(R"({{"holder": "{}", "renewal": {}}})", holder_, n),
                      PutOptions::IfMatch(etag_));
      if (!renewed) {
        spdlog::warn("could not renew the lake's writer lock (retrying): {}",
                     renewed.error().message);
      } else if (!*renewed) {
        spdlog::error(
            "the lake's writer lock was taken over by another writer (this one was "
            "too slow to renew it); its commits are still fenced by the manifests");
        lost_ = true;
        return;
      } else {
        etag_ = **renewed;
      }
    }
  }

  S3Storage& storage_;
  S3Client& client_;
  std::string key_, holder_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;               // guarded by mutex_
  std::string etag_;                // guarded by mutex_ while the renewer runs
  std::int64_t confirmations_ = 0;  // guarded by mutex_
  std::atomic<bool> lost_ = false;
  std::string found_;
  std::string token_;  // this hold's, in its release
  std::thread renewer_;
};

namespace {

// A file written to the cache and uploaded by Sync (or Close).
class UploadingFile final : public lake::WritableFile {
 public:
  UploadingFile(S3Storage& storage, std::string key, std::unique_ptr<lake::WritableFile> local)
      : storage_(storage), key_(std::move(key)), local_(std::move(local)) {}
  Status Append(std::string_view bytes) override { return local_->Append(bytes); }
  Status Sync() override { return storage_.Upload(key_); }
  Status Close() override {
    if (auto s = local_->Close(); !s) return s;
    return storage_.Upload(key_);
  }
  std::uint64_t size() const override { return local_->size(); }

 private:
  S3Storage& storage_;
  std::string key_;
  std::unique_ptr<lake::WritableFile> local_;
};

}  // namespace

S3Storage::S3Storage(S3StorageOptions options)
    : options_(std::move(options)), cache_(options_.cache, /*durable=*/false) {
  while (options_.prefix.ends_with('/')) options_.prefix.pop_back();
}

Result<std::unique_ptr<S3Storage>> S3Storage::Create(S3StorageOptions options) {
  std::error_code ec;
  fs::create_directories(options.cache, ec);
  if (ec) {
    return Fail(ErrorCode::kIo, fmt::format("cannot create the lake's cache folder {}: {}",
                                            options.cache.string(), ec.message()));
  }
  return std::unique_ptr<S3Storage>(new S3Storage(std::move(options)));
}

std::string S3Storage::Remote(const std::string& key) const {
  return options_.prefix.empty() ? key : options_.prefix + "/" + key;
}

Status S3Storage::Fetch(const std::string& key) const {
  std::error_code ec;
  if (fs::is_regular_file(cache_.root() / key, ec)) return {};
  auto object = options_.client->Get(Remote(key));
  if (!object) return tl::unexpected(object.error());
  if (!MatchesEtag(object->body, object->etag)) {
    return Fail(ErrorCode::kIo, fmt::format("S3 GET {}: the bytes received do not match the "
                                            "object's ETag {}",
                                            Remote(key), object->etag));
  }
  // Atomically: a reader never sees a half-written cache entry.
  return WriteFileAtomically(cache_.root() / key, object->body, Durability::kAtomicOnly);
}

Status S3Storage::Prefetch(const std::vector<std::string>& keys) const {
  std::vector<const std::string*> missing;
  for (const auto& key : keys) {
    std::error_code ec;
    if (!fs::is_regular_file(cache_.root() / key, ec)) missing.push_back(&key);
  }
  std::atomic<std::size_t> next = 0;
  std::mutex failed_mutex;
  std::optional<Error> failed;  // guarded by failed_mutex
  const auto fetch_some = [&] {
    for (std::size_t i = next++; i < missing.size(); i = next++) {
      if (auto s = Fetch(*missing[i]); !s) {
        std::lock_guard lock(failed_mutex);
        if (!failed) failed = s.error();
        next = missing.size();  // the others stop at their next key
      }
    }
  };
  std::vector<std::jthread> threads;
  const auto n = std::min<std::size_t>(kPrefetchThreads, missing.size());
  for (std::size_t i = 1; i < n; ++i) threads.emplace_back(fetch_some);
  fetch_some();
  threads.clear();  // joins
  if (failed) return tl::unexpected(*failed);
  return {};
}

Status S3Storage::Upload(const std::string& key) {
  {
    std::lock_guard lock(mutex_);
    if (uploaded_.contains(key)) return {};
  }
  auto etag = options_.client->Upload(Remote(key), cache_.root() / key, options_.part_size);
  if (!etag) return tl::unexpected(etag.error());
  std::lock_guard lock(mutex_);
  uploaded_.insert(key);
  return {};
}

Result<std::unique_ptr<lake::WriterLock>> S3Storage::LockWriters(
    const std::function<void(const std::string& holder)>& on_wait) {
  const std::string key = Remote(kLockKey);
  const std::string holder = fmt::format("{} pid {}", HostName(), ::getpid());
  const std::string held = fmt::format(R"({{"holder": "{}", "renewal": 0}})", holder);
  const auto make = [&](std::string etag, std::string found) -> std::unique_ptr<lake::WriterLock> {
    auto lock =
        std::make_unique<S3WriterLock>(*this, key, holder, std::move(etag), std::move(found));
    std::lock_guard held(lease_mutex_);
    lease_ = lock.get();
    return lock;
  };
  std::string seen_etag;
  auto seen_since = std::chrono::steady_clock::now();
  bool told = false;
  std::minstd_rand random(std::random_device{}());
  while (true) {
    auto created = options_.client->Put(key, held, PutOptions::IfAbsent());
    if (!created) return tl::unexpected(created.error());
    if (*created) return make(**created, "");
    auto current = options_.client->Get(key);
    if (!current && current.error().code == ErrorCode::kNotFound) continue;  // just released
    if (!current) return tl::unexpected(current.error());
    const bool released = current->body.find("\"released_by\"") != std::string::npos;
    const auto now = std::chrono::steady_clock::now();
    if (current->etag != seen_etag) {
      seen_etag = current->etag;
      seen_since = now;
    }
    const bool expired = now - seen_since > options_.lease || HolderDiedHere(current->body);
    if (released || expired) {
      auto taken = options_.client->Put(key, held, PutOptions::IfMatch(current->etag));
      if (!taken) return tl::unexpected(taken.error());
      if (*taken) {
        if (!released) {
          spdlog::warn(
              "took over the lake's writer lock from {}: its process is gone or "
              "did not renew it for {} s",
              current->body, options_.lease.count());
        }
        return make(**taken, released ? current->body : "");
      }
      continue;
    }
    if (!told) {
      on_wait(current->body);
      told = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20 + random() % 80));
  }
}

Result<std::unique_ptr<lake::WritableFile>> S3Storage::Create(const std::string& key) {
  auto local = cache_.Create(key);
  if (!local) return tl::unexpected(local.error());
  return std::unique_ptr<lake::WritableFile>(
      std::make_unique<UploadingFile>(*this, key, std::move(*local)));
}

Result<std::unique_ptr<lake::ReadableFile>> S3Storage::Open(const std::string& key) const {
  if (auto s = Fetch(key); !s) return tl::unexpected(s.error());
  return cache_.Open(key);
}

Result<std::string> S3Storage::ReadAll(const std::string& key) const {
  if (auto s = Fetch(key); !s) return tl::unexpected(s.error());
  return cache_.ReadAll(key);
}

Result<bool> S3Storage::PublishIfAbsent(const std::string& key, std::string_view bytes) {
  {
    // A writer that stalled past its lease learns it here, before it commits
    // anything while another writer holds the lake.
    std::lock_guard held(lease_mutex_);
    if (lease_ != nullptr) {
      if (auto s = lease_->Confirm(); !s) return tl::unexpected(s.error());
    }
  }
  auto put = options_.client->Put(Remote(key), bytes, PutOptions::IfAbsent());
  if (!put) return tl::unexpected(put.error());
  if (!*put) return false;
  // Cached as written; a failure here only costs a fetch later.
  (void)cache_.PublishIfAbsent(key, bytes);
  return true;
}

Result<bool> S3Storage::Exists(const std::string& key) const {
  std::error_code ec;
  if (fs::is_regular_file(cache_.root() / key, ec)) return true;
  auto head = options_.client->Head(Remote(key));
  if (head) return true;
  if (head.error().code == ErrorCode::kNotFound) return false;
  return tl::unexpected(head.error());
}

Result<std::vector<std::string>> S3Storage::List(const std::string& prefix) const {
  auto objects = ListAll(prefix);
  if (!objects) return tl::unexpected(objects.error());
  std::vector<std::string> keys;
  keys.reserve(objects->size());
  for (auto& object : *objects) keys.push_back(std::move(object.key));
  std::sort(keys.begin(), keys.end());
  return keys;
}

Status S3Storage::PrepareFolder(const std::string& key) { return cache_.PrepareFolder(key); }

Status S3Storage::SyncExisting(const std::string& key) {
  std::error_code ec;
  const fs::path path = cache_.root() / key;
  if (fs::is_directory(path, ec)) return {};  // an object store has no folders
  if (!fs::is_regular_file(path, ec)) {
    return Fail(ErrorCode::kIo, fmt::format("cannot upload {}: no such file in the cache {}", key,
                                            cache_.root().string()));
  }
  return Upload(key);
}

Status S3Storage::Remove(const std::string& key) {
  if (auto s = options_.client->Delete(Remote(key)); !s) return s;
  return cache_.Remove(key);
}

Result<std::vector<lake::ObjectInfo>> S3Storage::ListAll(const std::string& prefix,
                                                        const NameFilter& only) const {
  const std::string root = options_.prefix.empty() ? "" : options_.prefix + "/";
  auto objects = options_.client->List(root + prefix);
  if (!objects) return tl::unexpected(objects.error());
  std::vector<lake::ObjectInfo> out;
  out.reserve(objects->size());
  for (auto& object : *objects) {
    if (only && !only(std::string_view(object.key).substr(object.key.rfind('/') + 1))) continue;
    out.push_back({object.key.substr(root.size()), object.size, object.modified});
  }
  return out;
}

Result<std::int64_t> S3Storage::AbortStaleWrites(std::chrono::system_clock::time_point cutoff) {
  const std::string root = options_.prefix.empty() ? "" : options_.prefix + "/";
  auto uploads = options_.client->ListUploads(root);
  if (!uploads) return tl::unexpected(uploads.error());
  std::int64_t aborted = 0;
  for (const auto& upload : *uploads) {
    if (upload.initiated >= cutoff) continue;
    if (auto s = options_.client->AbortUpload(upload.key, upload.upload_id); !s) {
      return tl::unexpected(s.error());
    }
    ++aborted;
  }
  return aborted;
}

std::string S3Storage::Url(const std::string& key) const {
  if (!key.empty()) {
    if (auto s = Fetch(key); !s && s.error().code != ErrorCode::kNotFound) {
      spdlog::error("reading {} from S3: {}", key, s.error().message);
    }
  }
  return cache_.Url(key);
}

}  // namespace playlake::s3
