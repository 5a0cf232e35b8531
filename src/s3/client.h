// S3Client: the object operations a lake needs, on any S3-compatible store
// (AWS S3, MinIO, R2), over libcurl with our own Signature V4 (sigv4.h).
//
//   auto s3 = S3Client::Create({.endpoint = "http://127.0.0.1:9000", .bucket = "lake",
//                               .region = "us-east-1", .credentials = *CredentialsFromEnv()});
//   auto won = (*s3)->Put("_manifests/000042.json", manifest, PutOptions::IfAbsent());
//   if (won && !*won) { /* another writer has the key */ }
//
// Addressing is path style (endpoint/bucket/key), which every S3-compatible
// store accepts. Every request is signed with x-amz-content-sha256 (the body's
// hash). 500, 502, 503 (SlowDown), 504 and transport failures are retried with
// exponential backoff and full jitter, up to `max_attempts` in all; each attempt
// is signed again. A conditional PUT (`if_absent`) sends `If-None-Match: *`: of
// two writers racing for one key exactly one gets its ETag, the other nullopt.
// `if_match` (If-Match: ETAG) replaces an object only if it is still at that
// ETag: a compare-and-swap, which AWS S3, MinIO and R2 support. Upload sends a
// large file in parts (multipart upload) and aborts the upload on any failure,
// so no invisible parts are left behind. A conditional request retried after
// a transport failure may find its own first attempt and answer nullopt.
//
// Thread safety: every method may be called from several threads (each
// request has its own curl handle). Errors: kNotFound for a missing key
// (Get, Head); kIo for a refused request (the status and S3's error code and
// message are in the message), or for retries exhausted; secrets never appear
// in messages or logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "s3/sigv4.h"

namespace playlake::s3 {

struct S3Config {
  std::string endpoint;  // "https://s3.eu-west-1.amazonaws.com", "http://127.0.0.1:9000"
  std::string bucket;
  std::string region = "us-east-1";
  Credentials credentials;
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{100};  // doubles per attempt, full jitter
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds total_timeout{120'000};  // one attempt, whole exchange
};

// From AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN
// (optional); Error{kConfig} naming what is missing.
Result<Credentials> CredentialsFromEnv();

struct ObjectInfo {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;                                // as S3 gives it, quotes included
  std::chrono::system_clock::time_point modified;  // List only
};

// A multipart upload that was started and neither completed nor aborted
// (its writer crashed): S3 keeps its parts, invisible and billed, until aborted.
struct UploadInfo {
  std::string key;
  std::string upload_id;
  std::chrono::system_clock::time_point initiated;
};

struct Object {
  std::string body;
  std::string etag;
};

struct PutOptions {
  bool if_absent = false;  // If-None-Match: *
  std::string if_match;    // If-Match: this ETag, when not empty

  static PutOptions IfAbsent() { return {true, ""}; }
  static PutOptions IfMatch(std::string etag) { return {false, std::move(etag)}; }
};

// Parts of a multipart upload: S3 wants at least 5 MiB for all but the last.
constexpr std::uint64_t kDefaultPartSize = 16ull << 20;

class S3Client {
 public:
  static Result<std::unique_ptr<S3Client>> Create(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // The new object's ETag; nullopt only when a condition of `options` failed
  // (if_absent: the key exists; if_match: the object is at another ETag or gone).
  Result<std::optional<std::string>> Put(std::string_view key, std::string_view body,
                                         PutOptions options = {});
  // The local file at `path` under `key`: one PUT up to `part_size` bytes, a
  // multipart upload above. Returns the ETag.
  Result<std::string> Upload(std::string_view key, const std::filesystem::path& path,
                             std::uint64_t part_size = kDefaultPartSize);
  Result<Object> Get(std::string_view key);
  Result<ObjectInfo> Head(std::string_view key);
  // Deleting a missing key succeeds (S3's semantics).
  Status Delete(std::string_view key);
  // Every object under `prefix`, in key order, following continuation tokens.
  Result<std::vector<ObjectInfo>> List(std::string_view prefix);
  // Every incomplete multipart upload of a key under `prefix`
  // (ListMultipartUploads), following its markers.
  Result<std::vector<UploadInfo>> ListUploads(std::string_view prefix);
  // Aborts an incomplete multipart upload, dropping its parts; aborting one
  // that is gone already succeeds.
  Status AbortUpload(std::string_view key, std::string_view upload_id);

 private:
  struct State;
  explicit S3Client(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace playlake::s3
