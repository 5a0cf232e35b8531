// S3Client against a real S3 server on 127.0.0.1 (test_server.h).
#include "s3/client.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "s3/test_server.h"
#include "testing/testing.h"

namespace playlake::s3 {
namespace {

// The value of `result`; a test failure with its error when there is none.
template <typename T>
T Ok(Result<T> result) {
  EXPECT_TRUE(result) << result.error().message;
  return result ? std::move(*result) : T{};
}

class S3ClientTest : public ::testing::Test {
 protected:
  std::unique_ptr<S3Client> Client(std::string secret = kTestSecretKey) {
    return server_.Client(std::move(secret));
  }
  void InjectFaults(int status, int count, const std::string& match = "") {
    server_.InjectFaults(status, count, match);
  }

  playlake::testing::TempDir dir_;
  TestS3Server server_;
};

TEST_F(S3ClientTest, ObjectsRoundTripWithKeysThatNeedEncoding) {
  auto s3 = Client();
  const std::string body(300'000, 'x');
  const std::vector<std::string> keys = {"silver/plays/dt=2026-12-05/part 1+2.parquet",
                                         "silver/plays/dt=2026-12-05/ሴ&<>.parquet",
                                         "_manifests/000001.json"};
  for (const auto& key : keys) ASSERT_TRUE(Ok(s3->Put(key, body + key))) << key;
  for (const auto& key : keys) EXPECT_EQ(Ok(s3->Get(key)).body, body + key) << key;
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
  const auto age = std::chrono::system_clock::now() - (*listed)[0].modified;
  EXPECT_LT(std::chrono::abs(age), std::chrono::minutes(5));

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
        auto won = s3->Put(key, fmt::format("writer {}", w), PutOptions::IfAbsent());
        ASSERT_TRUE(won) << won.error().message;
        (*won ? winners : losers) += 1;
      });
    }
    for (auto& writer : writers) writer.join();
    EXPECT_EQ(winners, 1) << key;
    EXPECT_EQ(losers, 2) << key;
  }
}

TEST_F(S3ClientTest, IfMatchReplacesOnlyTheVersionItNames) {
  auto s3 = Client();
  const std::string first = *Ok(s3->Put("_lock", "holder a", PutOptions::IfAbsent()));
  EXPECT_EQ(Ok(s3->Put("_lock", "holder b", PutOptions::IfAbsent())), std::nullopt);
  const auto second = Ok(s3->Put("_lock", "holder b", PutOptions::IfMatch(first)));
  ASSERT_TRUE(second.has_value());
  EXPECT_NE(*second, first);
  // A writer still holding the first version loses the swap.
  EXPECT_EQ(Ok(s3->Put("_lock", "holder c", PutOptions::IfMatch(first))), std::nullopt);
  EXPECT_EQ(Ok(s3->Get("_lock")).body, "holder b");
  EXPECT_EQ(Ok(s3->Get("_lock")).etag, *second);
  EXPECT_EQ(Ok(s3->Put("gone", "x", PutOptions::IfMatch(first))), std::nullopt);
}

TEST_F(S3ClientTest, LargeFilesGoUpInPartsAndAFailedUploadLeavesNothing) {
  auto s3 = Client();
  const std::filesystem::path file = dir_.path() / "big.parquet";
  std::string bytes(12 << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7919 % 251);
  std::ofstream(file, std::ios::binary) << bytes;
  constexpr std::uint64_t kPart = 5 << 20;  // three parts: 5, 5 and 2 MiB
  EXPECT_FALSE(Ok(s3->Upload("silver/big.parquet", file, kPart)).empty());
  EXPECT_EQ(Ok(s3->Get("silver/big.parquet")).body, bytes);
  const std::string requests = server_.Requests();
  EXPECT_NE(requests.find("PUT /lake/silver/big.parquet?partNumber=3&"), std::string::npos)
      << requests;
  EXPECT_EQ(requests.find("partNumber=4"), std::string::npos) << requests;

  InjectFaults(500, 1'000, "partNumber=2");  // every attempt of the second part fails
  auto failed = s3->Upload("silver/failed.parquet", file, kPart);
  InjectFaults(500, 0);
  ASSERT_FALSE(failed);
  EXPECT_NE(failed.error().message.find("still 500"), std::string::npos) << failed.error().message;
  // The upload was aborted, so no parts are left behind.
  EXPECT_NE(server_.Requests().find("DELETE /lake/silver/failed.parquet?uploadId="),
            std::string::npos);
  EXPECT_EQ(s3->Head("silver/failed.parquet").error().code, ErrorCode::kNotFound);
  // A small file is one plain PUT.
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "small";
  EXPECT_FALSE(Ok(s3->Upload("small", file, kPart)).empty());
  EXPECT_EQ(Ok(s3->Get("small")).body, "small");
}

TEST_F(S3ClientTest, AnUploadThatWasNeitherCompletedNorAbortedIsListedUntilAborted) {
  auto s3 = Client();
  const std::filesystem::path file = dir_.path() / "parts";
  std::ofstream(file, std::ios::binary) << "ten bytes!";
  // Completing and aborting both fail, as when the writer dies between parts.
  InjectFaults(500, 1'000, "?uploadId=");
  ASSERT_FALSE(s3->Upload("silver/plays/half.parquet", file, /*part_size=*/4));
  InjectFaults(500, 0);
  Ok(s3->Put("silver/plays/whole.parquet", "rows"));
  const auto uploads = Ok(s3->ListUploads("silver/"));
  ASSERT_EQ(uploads.size(), 1u);
  EXPECT_EQ(uploads[0].key, "silver/plays/half.parquet");
  EXPECT_FALSE(uploads[0].upload_id.empty());
  const auto age = std::chrono::system_clock::now() - uploads[0].initiated;
  EXPECT_LT(std::chrono::abs(age), std::chrono::minutes(1));
  EXPECT_TRUE(Ok(s3->ListUploads("bronze/")).empty());

  auto aborted = s3->AbortUpload(uploads[0].key, uploads[0].upload_id);
  ASSERT_TRUE(aborted) << aborted.error().message;
  EXPECT_TRUE(Ok(s3->ListUploads("silver/")).empty());
  EXPECT_EQ(s3->Head("silver/plays/half.parquet").error().code, ErrorCode::kNotFound);
}

TEST_F(S3ClientTest, SlowDownAndServerErrorsAreRetriedThenReported) {
  auto s3 = Client();
  InjectFaults(503, 3);  // SlowDown three times, then through
  EXPECT_TRUE(Ok(s3->Put("a", "1")));
  InjectFaults(500, 2);
  EXPECT_EQ(Ok(s3->Get("a")).body, "1");
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
