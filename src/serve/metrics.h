// The server's own Prometheus metrics: requests by route and status, and the
// API's latency histogram.
//
// Thread safety: every method may be called from any thread.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace playlake::serve {

class RequestStats {
 public:
  // `route` is a fixed label (an API path, "static", ...), never a raw path,
  // so a scanner cannot blow up the metrics' cardinality.
  void Count(const std::string& route, int status);
  void RecordLatency(const std::string& route, double seconds);
  // Both series in Prometheus text format.
  std::string Render() const;

 private:
  // Bucket bounds in seconds, as Prometheus expects.
  static constexpr std::array<double, 9> kBuckets = {0.001, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,  0.5,  1.0};
  struct Latency {
    std::array<std::uint64_t, kBuckets.size()> buckets{};
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // (route, status) -> count
  std::map<std::string, Latency> latency_;                         // by API route
};

}  // namespace playlake::serve
