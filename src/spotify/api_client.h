// ApiClient: GETs JSON from the Spotify Web API with the retry policy every
// caller needs (docs/spotify.md, "How Playlake talks to the API").
//
// - 429: waits Retry-After (1 s when absent) and tries again, as long as the
//   wait is at most `retry_after_cap`; a longer wait, or 429s until the
//   attempts run out, is ApiErrorKind::kRateLimitedPastCap, on which a caller
//   stops cleanly at its checkpoint.
// - 5xx, timeouts (connect and total) and broken connections: retried after an
//   exponential backoff with full jitter (a uniform wait in [0, min(max,
//   base * 2^n)]), `max_attempts` in all; then kRetriesExhausted.
// - 401: the token is refreshed once through the refresher, and the request
//   retried once; a second 401 is kUnauthorized.
// - 403 (the app may not use this endpoint), 404 and other 4xx: returned at
//   once, not retried.
// At most `max_concurrency` requests are in flight at a time across threads.
// The bearer token goes only to URLs under `api_base` and is never logged;
// log lines and errors show URLs without their query strings.
//
// Thread safety: all methods may be called from several threads at once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <string_view>

#include "common/result.h"
#include "spotify/http_transport.h"

namespace playlake::spotify {

struct ClientOptions {
  std::string api_base = "https://api.spotify.com/v1";  // no trailing slash
  std::string accounts_base = "https://accounts.spotify.com";
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{30'000};
  int max_attempts = 5;                         // per request, the first included
  std::chrono::milliseconds backoff_base{500};  // the first retry waits up to this
  std::chrono::milliseconds backoff_max{30'000};
  std::chrono::seconds retry_after_cap{120};  // longest Retry-After waited
  int max_concurrency = 4;                    // requests in flight at once
  std::uint64_t jitter_seed = 0;              // 0: seeded from std::random_device
  // How the client waits; tests may replace it. Default: std::this_thread::sleep_for.
  std::function<void(std::chrono::milliseconds)> sleep;
};

enum class ApiErrorKind {
  kRateLimitedPastCap,  // 429 wants a longer wait than allowed: checkpoint and stop
  kRetriesExhausted,    // 5xx or transport failures on every attempt
  kUnauthorized,        // 401 even after a token refresh, or the refresh failed
  kForbidden,           // 403: the app may not use this endpoint
  kNotFound,            // 404
  kClientError,         // another 4xx
  kBadResponse,         // 2xx whose body is not JSON
  kNotAllowed,          // a URL outside api_base (the token is not sent there)
};

struct ApiError {
  ApiErrorKind kind;
  long http_status = 0;                 // the last answer's status; 0: none
  std::chrono::seconds retry_after{0};  // for kRateLimitedPastCap: what the API asked
  Error error;                          // what failed and what to do
};

template <typename T>
using ApiResult = tl::expected<T, ApiError>;

const char* ApiErrorKindName(ApiErrorKind kind);

// Returns a fresh access token (e.g. from the saved refresh token).
using TokenRefresher = std::function<Result<std::string>()>;

class ApiClient {
 public:
  // `access_token` may be empty: the first request then asks `refresh` for one.
  ApiClient(ClientOptions options, std::string access_token, TokenRefresher refresh);
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // GETs `path_or_url`: a path such as "/tracks/ID" (appended to api_base) or
  // an absolute URL under api_base (a page's `next`).
  ApiResult<nlohmann::json> GetJson(std::string_view path_or_url);
  // Like GetJson, but returns the answer's body unparsed (what bronze keeps).
  ApiResult<std::string> GetText(std::string_view path_or_url);

  // GETs the paging object at `path_or_url` and every page after it, following
  // `next` until it is null, calling `on_page` with each page in order. An
  // error from on_page stops the walk and is returned (as kClientError).
  // Returns the number of pages.
  ApiResult<int> ForEachPage(std::string_view path_or_url,
                             const std::function<Status(const nlohmann::json& page)>& on_page);

  // Requests sent so far (retries included), for run reports.
  std::int64_t requests_sent() const;

 private:
  class Slot;
  std::string AbsoluteUrl(std::string_view path_or_url) const;
  Result<std::string> Token();
  // Refreshes unless another thread already replaced `stale`.
  Status RefreshToken(const std::string& stale);
  std::chrono::milliseconds Backoff(int retry);
  void Sleep(std::chrono::milliseconds wait) const;

  const ClientOptions options_;
  const TokenRefresher refresh_;
  mutable std::mutex mutex_;
  std::condition_variable slot_free_;
  int in_flight_ = 0;          // guarded by mutex_
  std::string token_;          // guarded by mutex_
  std::mt19937_64 jitter_;     // guarded by mutex_
  std::int64_t requests_ = 0;  // guarded by mutex_
};

}  // namespace playlake::spotify
