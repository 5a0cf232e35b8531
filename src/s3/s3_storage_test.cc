// A lake on S3 (S3Storage under lake::Lake) against a real S3 server on
// 127.0.0.1 (test_server.h): the commit protocol across "machines" (each with
// its own cache), the writer lease, uploads and clean-up.
#include "s3/s3_storage.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "lake/lake.h"
#include "s3/test_server.h"
#include "testing/testing.h"

namespace playlake::s3 {
namespace {

class S3LakeTest : public ::testing::Test {
 protected:
  // A lake on the bucket's "radio/" folder as one machine sees it: its own cache.
  std::unique_ptr<lake::Lake> Machine(const std::string& name,
                                      std::chrono::seconds lease = std::chrono::seconds(30),
                                      lake::LakeOptions lake_options = {}) {
    S3StorageOptions options;
    options.client = server_.Client();
    options.prefix = "radio";
    options.cache = dir_.path() / name;
    options.lease = lease;
    options.part_size = 5 << 20;
    auto storage = S3Storage::Create(std::move(options));
    EXPECT_TRUE(storage) << storage.error().message;
    return std::make_unique<lake::Lake>(std::move(*storage), std::move(lake_options));
  }

  // Writes `bytes` as a new data file and returns it.
  lake::DataFile Write(lake::Lake& lake, const std::string& key, const std::string& bytes) {
    auto file = lake.storage().Create(key);
    EXPECT_TRUE(file) << file.error().message;
    EXPECT_TRUE((*file)->Append(bytes));
    EXPECT_TRUE((*file)->Sync());
    EXPECT_TRUE((*file)->Close());
    return lake::DataFile{"plays", key, 1, bytes.size()};
  }

  static lake::ManifestEntry Entry(const std::string& batch_id, std::vector<lake::DataFile> files) {
    lake::ManifestEntry entry;
    entry.layer = "bronze";
    entry.batch_id = batch_id;
    entry.source = "radio";
    entry.files = std::move(files);
    return entry;
  }

  playlake::testing::TempDir dir_;
  TestS3Server server_;
};

TEST_F(S3LakeTest, WhatOneMachineCommitsAnotherReadsAndNothingElse) {
  auto a = Machine("a");
  auto b = Machine("b");
  const auto file = Write(*a, "bronze/radio/plays/1.jsonl.zst", "play one\nplay two\n");
  Write(*a, "bronze/radio/plays/uncommitted.jsonl.zst", "never committed");
  ASSERT_TRUE(*a->Commit(Entry("batch-1", {file})));

  auto entries = b->Entries("bronze");
  ASSERT_TRUE(entries) << entries.error().message;
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].batch_id, "batch-1");
  auto files = b->CommittedFiles("bronze", "plays");
  ASSERT_TRUE(files);
  ASSERT_EQ(files->size(), 1u);
  // The reader's engine opens the cached copy, fetched on first use.
  EXPECT_EQ(playlake::testing::ReadFile(b->storage().Url((*files)[0].key)), "play one\nplay two\n");
  EXPECT_EQ(*b->storage().ReadAll(file.key), "play one\nplay two\n");
  // The second commit of a batch changes nothing, from either machine.
  EXPECT_FALSE(*b->Commit(Entry("batch-1", {})));
  EXPECT_EQ(b->Entries("bronze")->size(), 1u);
}

TEST_F(S3LakeTest, ASnapshotOfTheCommitLogOneMachineWroteServesAnother) {
  lake::LakeOptions options;
  options.snapshot_after = 3;
  auto a = Machine("a", std::chrono::seconds(30), options);
  auto b = Machine("b", std::chrono::seconds(30), options);
  for (int i = 1; i <= 4; ++i) {
    const auto file = Write(*a, fmt::format("bronze/radio/plays/{}.jsonl.zst", i), "play\n");
    ASSERT_TRUE(*a->Commit(Entry(fmt::format("batch-{}", i), {file})));
  }
  auto written = a->Entries("bronze");  // four manifests read: a snapshot of them
  ASSERT_TRUE(written) << written.error().message;
  auto snapshots = b->storage().List("_manifests/_snapshots");
  ASSERT_TRUE(snapshots);
  ASSERT_EQ(snapshots->size(), 1u);
  EXPECT_NE((*snapshots)[0].find("bronze-000000000004-"), std::string::npos);
  auto read = b->Entries("bronze");
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), 4u);
  for (std::size_t i = 0; i < read->size(); ++i) {
    EXPECT_EQ(lake::ToJson((*read)[i]), lake::ToJson((*written)[i]));
  }
}

TEST_F(S3LakeTest, OfThreeWritersRacingForEachCommitExactlyOneWins) {
  std::vector<std::unique_ptr<lake::Lake>> writers;
  for (int w = 0; w < 3; ++w) writers.push_back(Machine(fmt::format("w{}", w)));
  constexpr int kBatches = 30;
  std::atomic<int> won = 0, lost = 0;
  std::vector<std::thread> threads;
  for (int w = 0; w < 3; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kBatches; ++i) {
        auto committed = writers[w]->Commit(Entry(fmt::format("batch-{:03}", i), {}));
        ASSERT_TRUE(committed) << committed.error().message;
        (*committed ? won : lost) += 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(won, kBatches);
  EXPECT_EQ(lost, 2 * kBatches);
  EXPECT_EQ(Machine("reader")->Entries("bronze")->size(), static_cast<std::size_t>(kBatches));
}

TEST_F(S3LakeTest, FilesAnEngineWroteAreUploadedLargeOnesInParts) {
  auto a = Machine("a");
  ASSERT_TRUE(a->storage().PrepareFolder("silver/plays/dt=2026-12-05"));
  const std::string key = "silver/plays/dt=2026-12-05/part-0.parquet";
  std::string bytes(11 << 20, '\0');
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i % 253);
  std::ofstream(a->storage().Url(key), std::ios::binary) << bytes;  // as DuckDB's COPY would
  ASSERT_TRUE(a->storage().SyncExisting(key));
  ASSERT_TRUE(a->storage().SyncExisting("silver/plays/dt=2026-12-05"));  // a folder: nothing to do
  auto info = server_.Client()->Head("radio/" + key);
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->size, bytes.size());
  EXPECT_NE(server_.Requests().find("?partNumber=3&"), std::string::npos);  // three parts
  EXPECT_EQ(*Machine("b")->storage().ReadAll(key), bytes);
  EXPECT_FALSE(a->storage().SyncExisting("silver/plays/missing.parquet"));
}

TEST_F(S3LakeTest, TheWriterLeaseIsHeldReleasedAndTakenFromADeadHolder) {
  // A lease of 4 s (renewed every 1.3 s): renewals stay in time on a loaded machine.
  auto a = Machine("a", std::chrono::seconds(4));
  auto b = Machine("b", std::chrono::seconds(4));
  std::string waited_on;
  auto held = a->storage().LockWriters([](const std::string&) { FAIL() << "nothing held it"; });
  ASSERT_TRUE(held) << held.error().message;
  std::atomic<bool> b_has_it = false;
  std::thread waiter([&] {
    auto lock = b->storage().LockWriters([&](const std::string& holder) { waited_on = holder; });
    ASSERT_TRUE(lock) << lock.error().message;
    b_has_it = true;
  });
  // Past the lease: a's renewals keep it, so b still waits.
  std::this_thread::sleep_for(std::chrono::seconds(5));
  EXPECT_FALSE(b_has_it);
  held->reset();  // a gives it back
  waiter.join();
  EXPECT_TRUE(b_has_it);
  EXPECT_NE(waited_on.find(" pid "), std::string::npos) << waited_on;

  // A holder that died (a lock object nobody renews) is taken over after the lease.
  ASSERT_TRUE(*server_.Client()->Put("radio/_lock/writers", R"({"holder": "gone pid 1"})"));
  const auto start = std::chrono::steady_clock::now();
  auto taken = a->storage().LockWriters([](const std::string&) {});
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST_F(S3LakeTest, TheLeaseTellsWhetherAnotherHoldCameBetween) {
  auto a = Machine("a");
  auto b = Machine("b");
  const auto free = [](const std::string&) { FAIL() << "nothing held it"; };
  std::string mark;
  {
    auto lock = a->storage().LockWriters(free);
    ASSERT_TRUE(lock) << lock.error().message;
    EXPECT_FALSE((*lock)->NoneSince(""));
    mark = (*lock)->Mark();
  }
  {
    auto lock = a->storage().LockWriters(free);
    ASSERT_TRUE(lock) << lock.error().message;
    EXPECT_TRUE((*lock)->NoneSince(mark));  // a gave it back and took it again
    EXPECT_NE((*lock)->Mark(), mark);
    mark = (*lock)->Mark();
  }
  ASSERT_TRUE(b->storage().LockWriters(free));  // another writer's hold, given back
  auto lock = a->storage().LockWriters(free);
  ASSERT_TRUE(lock) << lock.error().message;
  EXPECT_FALSE((*lock)->NoneSince(mark));
}

TEST_F(S3LakeTest, AWriterThatLostItsLeaseLearnsItBeforeCommitting) {
  auto a = Machine("a");
  auto held = a->storage().LockWriters([](const std::string&) {});
  ASSERT_TRUE(held) << held.error().message;
  auto client = server_.Client();
  const auto lease = [&] { return client->Get("radio/_lock/writers")->etag; };
  const std::string before = lease();
  ASSERT_TRUE(*a->Commit(Entry("batch-1", {Write(*a, "bronze/radio/plays/1", "a")})));
  const std::string renewed = lease();
  EXPECT_NE(renewed, before);  // each commit renews the lease on the spot
  // Another writer took the lease over while this one stalled.
  ASSERT_TRUE(*client->Put("radio/_lock/writers", R"({"holder": "b pid 2"})",
                           PutOptions::IfMatch(renewed)));
  auto lost = a->Commit(Entry("batch-2", {Write(*a, "bronze/radio/plays/2", "b")}));
  ASSERT_FALSE(lost);
  EXPECT_NE(lost.error().message.find("taken over"), std::string::npos) << lost.error().message;
  EXPECT_EQ(client->Head("radio/_manifests/bronze/batch-2.json").error().code,
            ErrorCode::kNotFound);
  held->reset();  // giving back a lost lease leaves the new holder's alone
  EXPECT_EQ(client->Get("radio/_lock/writers")->body, R"({"holder": "b pid 2"})");
}

TEST_F(S3LakeTest, VacuumRemovesOnlyOldUncommittedFiles) {
  auto a = Machine("a");
  const auto kept = Write(*a, "silver/plays/committed.parquet", "rows");
  Write(*a, "silver/plays/crashed-writer.parquet", "left behind");
  ASSERT_TRUE(*a->Commit(Entry("batch-1", {kept})));
  // A multipart upload whose writer died before completing it (nor aborting it).
  const auto parts = dir_.path() / "parts";
  std::ofstream(parts, std::ios::binary) << "ten bytes!";
  server_.InjectFaults(500, 1'000, "?uploadId=");
  auto client = server_.Client();
  ASSERT_FALSE(client->Upload("radio/silver/plays/half.parquet", parts, /*part_size=*/4));
  server_.InjectFaults(500, 0);
  auto fresh = a->RemoveLeftovers(std::chrono::hours(1));
  ASSERT_TRUE(fresh) << fresh.error().message;
  EXPECT_EQ(fresh->removed, 0);
  EXPECT_EQ(fresh->kept, 1);  // younger than the grace period
  EXPECT_EQ(fresh->aborted_uploads, 0);
  std::this_thread::sleep_for(std::chrono::seconds(2));  // S3's times have whole seconds
  auto old = a->RemoveLeftovers(std::chrono::seconds(1));
  ASSERT_TRUE(old) << old.error().message;
  EXPECT_EQ(old->removed, 1);
  EXPECT_EQ(old->aborted_uploads, 1);
  EXPECT_TRUE(client->ListUploads("radio/")->empty());
  auto listed = client->List("radio/silver/");
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].key, "radio/silver/plays/committed.parquet");
}

TEST_F(S3LakeTest, AServerThatFailsForAWhileIsWaitedOut) {
  auto a = Machine("a");
  server_.InjectFaults(503, 3);
  const auto file = Write(*a, "bronze/radio/plays/1.jsonl.zst", "play");
  server_.InjectFaults(500, 2, "_manifests");
  ASSERT_TRUE(*a->Commit(Entry("batch-1", {file})));
  server_.InjectFaults(0, 1, "PUT", /*cut=*/true);  // a connection cut mid-upload
  Write(*a, "bronze/radio/plays/2.jsonl.zst", "another play");
  EXPECT_EQ(*Machine("b")->storage().ReadAll("bronze/radio/plays/2.jsonl.zst"), "another play");
}

}  // namespace
}  // namespace playlake::s3
