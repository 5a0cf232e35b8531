#include "s3/test_server.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <thread>

namespace playlake::s3 {

TestS3Server::TestS3Server(const std::string& bucket) : bucket_(bucket) {
  log_ = dir_.path() / "s3_server.log";
  const auto& log = log_;
  server_ = std::make_unique<playlake::testing::Background>(
      PLAYLAKE_NODE,
      std::vector<std::string>{"--openssl-legacy-provider", PLAYLAKE_S3_SERVER, "--bucket", bucket,
                               "--access-key", kTestAccessKey, "--secret-key", kTestSecretKey},
      log);
  for (int i = 0; i < 400 && endpoint_.empty(); ++i) {
    const std::string out = playlake::testing::ReadFile(log);
    if (out.starts_with("http://") && out.find('\n') != std::string::npos) {
      endpoint_ = out.substr(0, out.find('\n'));
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  EXPECT_FALSE(endpoint_.empty()) << "the test S3 server did not start: "
                                  << playlake::testing::ReadFile(log);
}

std::unique_ptr<S3Client> TestS3Server::Client(std::string secret) const {
  S3Config config;
  config.endpoint = endpoint_;
  config.bucket = bucket_;
  config.credentials = {kTestAccessKey, std::move(secret), ""};
  config.first_backoff = std::chrono::milliseconds(10);
  auto client = S3Client::Create(config);
  EXPECT_TRUE(client.has_value());
  return client ? std::move(*client) : nullptr;
}

void TestS3Server::InjectFaults(int status, int count, const std::string& match, bool cut) const {
  CURL* curl = curl_easy_init();
  const std::string url = endpoint_ + "/__faults";
  const std::string body = fmt::format(R"({{"status": {}, "count": {}, "match": "{}", "cut": {}}})",
                                       status, count, match, cut);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION,
      +[](char*, std::size_t size, std::size_t n, void*) { return size * n; });
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK);
  curl_easy_cleanup(curl);
}

std::string TestS3Server::Requests() const {
  const std::string log = playlake::testing::ReadFile(log_);
  return log.substr(log.find('\n') + 1);
}

}  // namespace playlake::s3
