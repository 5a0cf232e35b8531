// S3Client: the object operations a lake needs, on any S3-compatible store
// (AWS S3, MinIO, R2), over libcurl with our own Signature V4 (sigv4.h).
//
//   auto s3 = S3Client::Create({.endpoint = "http://127.0.0.1:9000", .bucket = "lake",
//                               .region = "us-east-1", .credentials = *CredentialsFromEnv()});
//   Result<bool> won = (*s3)->Put("_manifests/000042.json", manifest, {.if_absent = true});
//
// Addressing is path style (endpoint/bucket/key), which every S3-compatible
// store accepts. Every request is signed with x-amz-content-sha256 (the body's
// hash). 500, 502, 503 (SlowDown), 504 and transport failures are retried with
// exponential backoff and full jitter, up to `max_attempts` in all; each attempt
// is signed again. A conditional PUT (`if_absent`) sends `If-None-Match: *`: of
// two writers racing for one key exactly one gets true, the other false.
//
// Thread safety: every method may be called from several threads (each
// request has its own curl handle). Errors: kNotFound for a missing key
// (Get, Head); kIo for a refused request (the status and S3's error code and
// message are in the message), or for retries exhausted; secrets never appear
// in messages or logs.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
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
  std::string etag;  // as S3 gives it, quotes included
};

struct PutOptions {
  bool if_absent = false;  // If-None-Match: *
};

class S3Client {
 public:
  static Result<std::unique_ptr<S3Client>> Create(S3Config config);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // True when written; false only with if_absent, when the key already exists.
  Result<bool> Put(std::string_view key, std::string_view body, PutOptions options = {});
  Result<std::string> Get(std::string_view key);
  Result<ObjectInfo> Head(std::string_view key);
  // Deleting a missing key succeeds (S3's semantics).
  Status Delete(std::string_view key);
  // Every object under `prefix`, in key order, following continuation tokens.
  Result<std::vector<ObjectInfo>> List(std::string_view prefix);

 private:
  struct State;
  explicit S3Client(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace playlake::s3
