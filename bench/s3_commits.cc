// s3_commits: WRITERS writers commit COMMITS manifests in all to one lake on S3
// (bench/s3.sh starts the server), each through its own client and cache as
// separate machines would. After every tenth of its batches, each writer races
// the others for one more batch: exactly one must win each race. Prints commit latency
// percentiles (a commit: the conditional PUT, with its retries) and checks
// that the lake holds every batch exactly once. Then a new machine (an empty
// cache) reads the commit log: one manifest after another, as a loop over
// ReadAll does, against Lake::Entries, which fetches them concurrently.
//
// Usage: s3_commits ENDPOINT BUCKET WRITERS COMMITS CACHE_DIR
// (credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)
#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "lake/lake.h"
#include "s3/s3_storage.h"

using namespace playlake;

int main(int argc, char** argv) {
  if (argc != 6) {
    fmt::print(stderr, "usage: s3_commits ENDPOINT BUCKET WRITERS COMMITS CACHE_DIR\n");
    return 2;
  }
  const std::string endpoint = argv[1], bucket = argv[2];
  const int writers = std::atoi(argv[3]), commits = std::atoi(argv[4]);
  auto credentials = s3::CredentialsFromEnv();
  if (!credentials) {
    fmt::print(stderr, "{}\n", credentials.error().message);
    return 2;
  }
  // The lake as a machine with its own client and cache (`name`) sees it.
  const auto machine = [&](const std::string& name) -> std::unique_ptr<lake::Lake> {
    s3::S3Config config;
    config.endpoint = endpoint;
    config.bucket = bucket;
    config.credentials = *credentials;
    auto client = s3::S3Client::Create(config);
    s3::S3StorageOptions options;
    options.client = std::move(*client);
    options.prefix = "commits";
    options.cache = fmt::format("{}/{}", argv[5], name);
    auto storage = s3::S3Storage::Create(std::move(options));
    if (!storage) {
      fmt::print(stderr, "{}\n", storage.error().message);
      std::exit(1);
    }
    return std::make_unique<lake::Lake>(std::move(*storage), lake::LakeOptions{});
  };
  std::vector<std::unique_ptr<lake::Lake>> lakes;
  for (int w = 0; w < writers; ++w) lakes.push_back(machine(fmt::format("writer-{}", w)));

  // Writer w commits its share of batches "w-J"; after every tenth, all writers
  // race for "raced-K" (K = J / 10), about at the same moment.
  const int per_writer = commits / writers;
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::atomic<int> won_races = 0, lost_races = 0, errors = 0;
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      std::vector<double> mine;
      const auto commit = [&](const std::string& id) -> std::optional<bool> {
        lake::ManifestEntry entry;
        entry.layer = "bronze";
        entry.batch_id = id;
        entry.source = fmt::format("writer-{}", w);
        const auto t0 = std::chrono::steady_clock::now();
        auto committed = lakes[w]->Commit(entry);
        mine.push_back(
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                .count());
        if (committed) return *committed;
        fmt::print(stderr, "writer {}: {}\n", w, committed.error().message);
        ++errors;
        return std::nullopt;
      };
      for (int j = 0; j < per_writer; ++j) {
        if (commit(fmt::format("{}-{:06}", w, j)) == false) ++errors;  // nobody else has it
        if (j % 10 == 0) {
          const auto raced = commit(fmt::format("raced-{:06}", j / 10));
          if (raced) (*raced ? won_races : lost_races) += 1;
        }
      }
      std::lock_guard lock(mutex);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  auto entries = lakes[0]->Entries("bronze");
  if (!entries) {
    fmt::print(stderr, "{}\n", entries.error().message);
    return 1;
  }
  const int raced = (per_writer + 9) / 10;
  const int expected = per_writer * writers + raced;
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto pct = [&](double p) {
    return latencies_ms[std::min(latencies_ms.size() - 1,
                                 static_cast<std::size_t>(p * latencies_ms.size()))];
  };
  fmt::print("writers {} commits {} raced {} seconds {:.2f} commits_per_s {:.0f}\n", writers,
             latencies_ms.size(), raced, seconds, latencies_ms.size() / seconds);
  fmt::print("p50_ms {:.1f} p99_ms {:.1f} max_ms {:.1f}\n", pct(0.50), pct(0.99),
             latencies_ms.back());
  fmt::print("in_lake {} expected {} races_won {} races_lost {} errors {}\n", entries->size(),
             expected, won_races.load(), lost_races.load(), errors.load());

  // A new machine reads the commit log, without and with concurrent fetches.
  const auto timed = [](const auto& read) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::size_t n = read();
    return std::make_pair(
        n, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  };
  auto serial_lake = machine("new-machine-serial");
  const auto [serial_n, serial_s] = timed([&]() -> std::size_t {
    auto keys = serial_lake->storage().List("_manifests/bronze");
    std::size_t n = 0;
    for (const auto& key : keys ? *keys : std::vector<std::string>{}) {
      n += serial_lake->storage().ReadAll(key).has_value();
    }
    return n;
  });
  auto concurrent_lake = machine("new-machine-concurrent");
  const auto [concurrent_n, concurrent_s] = timed([&]() -> std::size_t {
    auto read = concurrent_lake->Entries("bronze");
    return read ? read->size() : 0;
  });
  fmt::print(
      "commit log on a new machine: {} manifests one by one {:.2f} s, concurrently ({} at a "
      "time) {:.2f} s, {:.1f}x\n",
      serial_n, serial_s, s3::S3Storage::kPrefetchThreads, concurrent_s, serial_s / concurrent_s);

  const bool exact = static_cast<int>(entries->size()) == expected && won_races == raced &&
                     static_cast<int>(serial_n) == expected &&
                     static_cast<int>(concurrent_n) == expected &&
                     lost_races == raced * (writers - 1) && errors == 0;
  return exact ? 0 : 1;
}
