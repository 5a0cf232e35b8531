// S3Client against a real S3 server on 127.0.0.1: s3rver (npm) behind the test
// proxy web/testing/s3_server.mjs, which checks every request's signature with
// an independent signer (npm aws4), honours If-None-Match and injects faults.
#include "s3/client.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "testing/testing.h"

namespace playlake::s3 {
namespace {

constexpr char kAccessKey[] = "PLAYLAKETESTKEY";
constexpr char kSecretKey[] = "playlake-test-secret";

// The value of `result`; a test failure with its error when there is none.
template <typename T>
T Ok(Result<T> result) {
  EXPECT_TRUE(result) << result.error().message;
  return result ? std::move(*result) : T{};
}

class S3ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_ = dir_.path() / "s3_server.log";
    server_ = std::make_unique<playlake::testing::Background>(
        PLAYLAKE_NODE,
        std::vector<std::string>{"--openssl-legacy-provider", PLAYLAKE_S3_SERVER, "--bucket",
                                 "lake", "--access-key", kAccessKey, "--secret-key", kSecretKey},
        log_);
    for (int i = 0; i < 400 && endpoint_.empty(); ++i) {
      const std::string out = playlake::testing::ReadFile(log_);
      if (out.starts_with("http://") && out.find('\n') != std::string::npos) {
        endpoint_ = out.substr(0, out.find('\n'));
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    }
    ASSERT_FALSE(endpoint_.empty())
        << "the test S3 server did not start: " << playlake::testing::ReadFile(log_);
  }

  std::unique_ptr<S3Client> Client(std::string secret = kSecretKey) {
    S3Config config;
    config.endpoint = endpoint_;
    config.bucket = "lake";
    config.credentials = {kAccessKey, std::move(secret), ""};
    config.first_backoff = std::chrono::milliseconds(10);
    auto client = S3Client::Create(config);
    EXPECT_TRUE(client.has_value());
    return client ? std::move(*client) : nullptr;
  }

  // The next `count` requests answer `status` (the proxy's fault injection).
  void InjectFaults(int status, int count) {
    CURL* curl = curl_easy_init();
    const std::string url = endpoint_ + "/__faults";
    const std::string body = fmt::format(R"({{"status": {}, "count": {}}})", status, count);
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(
        curl, CURLOPT_WRITEFUNCTION,
        +[](char*, std::size_t size, std::size_t n, void*) { return size * n; });
    ASSERT_EQ(curl_easy_perform(curl), CURLE_OK);
    curl_easy_cleanup(curl);
  }

  playlake::testing::TempDir dir_;
  std::filesystem::path log_;
  std::unique_ptr<playlake::testing::Background> server_;
  std::string endpoint_;
};

TEST_F(S3ClientTest, ObjectsRoundTripWithKeysThatNeedEncoding) {
  auto s3 = Client();
  const std::string body(300'000, 'x');
  const std::vector<std::string> keys = {"silver/plays/dt=2026-12-05/part 1+2.parquet",
                                         "silver/plays/dt=2026-12-05/ሴ&<>.parquet",
                                         "_manifests/000001.json"};
  for (const auto& key : keys) ASSERT_TRUE(Ok(s3->Put(key, body + key))) << key;
  for (const auto& key : keys) EXPECT_EQ(Ok(s3->Get(key)), body + key) << key;
  auto head = s3->Head(keys[0]);
  ASSERT_TRUE(head) << head.error().message;
  EXPECT_EQ(head->size, body.size() + keys[0].size());
  EXPECT_FALSE(head->etag.empty());

  auto listed = s3->List("silver/plays/");
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].key, keys[0]);
  EXPECT_EQ((*listed)[1].key, keys[1]);
  EXPECT_EQ((*listed)[0].etag, head->etag);

  ASSERT_TRUE(s3->Delete(keys[0]));
  EXPECT_EQ(s3->Get(keys[0]).error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(s3->Delete(keys[0]));  // already gone: still fine
}

TEST_F(S3ClientTest, ListingFollowsContinuationPastAThousandKeys) {
  auto s3 = Client();
  constexpr int kObjects = 1'050;  // S3 answers at most 1,000 keys a page
  std::vector<std::thread> writers;
  std::atomic<int> written = 0;
  for (int w = 0; w < 8; ++w) {
    writers.emplace_back([&, w] {
      for (int i = w; i < kObjects; i += 8) {
        if (Ok(s3->Put(fmt::format("bronze/{:05}", i), "b"))) ++written;
      }
    });
  }
  for (auto& writer : writers) writer.join();
  ASSERT_EQ(written, kObjects);
  auto listed = s3->List("bronze/");
  ASSERT_TRUE(listed) << listed.error().message;
  ASSERT_EQ(listed->size(), static_cast<std::size_t>(kObjects));
  for (int i = 0; i < kObjects; ++i) EXPECT_EQ((*listed)[i].key, fmt::format("bronze/{:05}", i));
}

TEST_F(S3ClientTest, OfWritersRacingForOneKeyExactlyOneWins) {
  auto s3 = Client();
  for (int round = 0; round < 20; ++round) {
    const std::string key = fmt::format("_manifests/{:06}.json", round);
    std::atomic<int> winners = 0, losers = 0;
    std::vector<std::thread> writers;
    for (int w = 0; w < 3; ++w) {
      writers.emplace_back([&, w] {
        auto won = s3->Put(key, fmt::format("writer {}", w), {.if_absent = true});
        ASSERT_TRUE(won) << won.error().message;
        (*won ? winners : losers) += 1;
      });
    }
    for (auto& writer : writers) writer.join();
    EXPECT_EQ(winners, 1) << key;
    EXPECT_EQ(losers, 2) << key;
  }
}

TEST_F(S3ClientTest, SlowDownAndServerErrorsAreRetriedThenReported) {
  auto s3 = Client();
  InjectFaults(503, 3);  // SlowDown three times, then through
  EXPECT_TRUE(Ok(s3->Put("a", "1")));
  InjectFaults(500, 2);
  EXPECT_EQ(Ok(s3->Get("a")), "1");
  InjectFaults(503, 50);  // more than the attempts allowed
  auto refused = s3->Get("a");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("still 503 after 5 attempts (SlowDown)"),
            std::string::npos)
      << refused.error().message;
}

TEST_F(S3ClientTest, AWrongSecretIsRefusedWithS3sReasonAndNeverShown) {
  auto s3 = Client("not-the-secret");
  auto refused = s3->Put("a", "1");
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("403 SignatureDoesNotMatch"), std::string::npos)
      << refused.error().message;
  EXPECT_EQ(refused.error().message.find("not-the-secret"), std::string::npos);
}

TEST(S3Config, EndpointAndBucketAreChecked) {
  S3Config config;
  config.endpoint = "127.0.0.1:9000";  // no scheme
  config.bucket = "lake";
  EXPECT_EQ(S3Client::Create(config).error().code, ErrorCode::kConfig);
  config.endpoint = "http://127.0.0.1:9000";
  config.bucket.clear();
  EXPECT_EQ(S3Client::Create(config).error().code, ErrorCode::kConfig);
}

}  // namespace
}  // namespace playlake::s3
