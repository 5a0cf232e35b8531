#include "serve/metrics.h"

#include <fmt/format.h>

namespace playlake::serve {

void RequestStats::Count(const std::string& route, int status) {
  std::lock_guard lock(mutex_);
  requests_[{route, status}]++;
}

void RequestStats::RecordLatency(const std::string& route, double seconds) {
  std::lock_guard lock(mutex_);
  Latency& l = latency_[route];
  l.count++;
  l.sum_seconds += seconds;
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) l.buckets[i]++;
  }
}

std::string RequestStats::Render() const {
  std::lock_guard lock(mutex_);
  std::string out =
      "# HELP playlake_http_requests_total HTTP requests served, by route and status.\n"
      "# TYPE playlake_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    out += fmt::format("playlake_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first,
                       key.second, n);
  }
  out +=
      "# HELP playlake_http_request_duration_seconds Time to answer an API request.\n"
      "# TYPE playlake_http_request_duration_seconds histogram\n";
  for (const auto& [route, s] : latency_) {
    for (std::size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format(
          "playlake_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", route,
          kBuckets[i], s.buckets[i]);
    }
    out += fmt::format(
        "playlake_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", route,
        s.count);
    out += fmt::format("playlake_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", route,
                       s.sum_seconds);
    out += fmt::format("playlake_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", route,
                       s.count);
  }
  return out;
}

}  // namespace playlake::serve
