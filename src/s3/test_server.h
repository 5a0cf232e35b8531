// TestS3Server: a real S3 server on 127.0.0.1 for tests — s3rver (npm) behind
// the proxy web/testing/s3_server.mjs, which checks every request's signature
// with an independent signer (npm aws4), honours If-None-Match and If-Match,
// and injects faults. Started by the constructor; stopped when destroyed.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "s3/client.h"
#include "testing/testing.h"

namespace playlake::s3 {

inline constexpr char kTestAccessKey[] = "PLAYLAKETESTKEY";
inline constexpr char kTestSecretKey[] = "playlake-test-secret";

class TestS3Server {
 public:
  // Serves one bucket, `bucket`. Fails the current test when the server does
  // not start (the endpoint is then empty).
  explicit TestS3Server(const std::string& bucket = "lake");
  const std::string& endpoint() const { return endpoint_; }
  // A client of the bucket, signing with `secret`.
  std::unique_ptr<S3Client> Client(std::string secret = kTestSecretKey) const;
  // The next `count` requests whose method and URL contain `match` answer
  // `status`, or have their connection cut when `cut` is true.
  void InjectFaults(int status, int count, const std::string& match = "", bool cut = false) const;
  // The requests answered so far, one "METHOD URL STATUS" line each.
  std::string Requests() const;

 private:
  std::string bucket_;
  playlake::testing::TempDir dir_;
  std::filesystem::path log_;
  std::unique_ptr<playlake::testing::Background> server_;
  std::string endpoint_;
};

}  // namespace playlake::s3
