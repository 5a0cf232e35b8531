#include "spotify/api_client.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <thread>

namespace playlake::spotify {
namespace {

ApiError MakeError(ApiErrorKind kind, long status, std::string message) {
  const ErrorCode code = kind == ApiErrorKind::kBadResponse ? ErrorCode::kData : ErrorCode::kIo;
  return ApiError{kind, status, std::chrono::seconds(0), Error{code, std::move(message)}};
}

// Retry-After in seconds (Spotify sends delta-seconds); absent or unreadable: 1.
std::chrono::seconds ParseRetryAfter(const std::string& value) {
  long long seconds = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::chrono::seconds(1);
  }
  return std::chrono::seconds(seconds);
}

}  // namespace

const char* ApiErrorKindName(ApiErrorKind kind) {
  switch (kind) {
    case ApiErrorKind::kRateLimitedPastCap:
      return "rate limited past the cap";
    case ApiErrorKind::kRetriesExhausted:
      return "retries exhausted";
    case ApiErrorKind::kUnauthorized:
      return "unauthorized";
    case ApiErrorKind::kForbidden:
      return "forbidden";
    case ApiErrorKind::kNotFound:
      return "not found";
    case ApiErrorKind::kClientError:
      return "client error";
    case ApiErrorKind::kBadResponse:
      return "bad response";
    case ApiErrorKind::kNotAllowed:
      return "not allowed";
  }
  return "unknown";
}

// Holds one of the max_concurrency request slots while alive.
class ApiClient::Slot {
 public:
  explicit Slot(ApiClient& client) : client_(client) {
    std::unique_lock lock(client_.mutex_);
    client_.slot_free_.wait(
        lock, [&] { return client_.in_flight_ < std::max(1, client_.options_.max_concurrency); });
    ++client_.in_flight_;
    ++client_.requests_;
  }
  ~Slot() {
    {
      std::lock_guard lock(client_.mutex_);
      --client_.in_flight_;
    }
    client_.slot_free_.notify_one();
  }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  ApiClient& client_;
};

ApiClient::ApiClient(ClientOptions options, std::string access_token, TokenRefresher refresh)
    : options_(std::move(options)),
      refresh_(std::move(refresh)),
      token_(std::move(access_token)),
      jitter_(options_.jitter_seed != 0 ? options_.jitter_seed : std::random_device{}()) {}

std::int64_t ApiClient::requests_sent() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::string ApiClient::AbsoluteUrl(std::string_view path_or_url) const {
  if (path_or_url.starts_with("http://") || path_or_url.starts_with("https://")) {
    return std::string(path_or_url);
  }
  return options_.api_base + std::string(path_or_url);
}

Result<std::string> ApiClient::Token() {
  {
    std::lock_guard lock(mutex_);
    if (!token_.empty()) return token_;
  }
  if (Status refreshed = RefreshToken(""); !refreshed) return tl::unexpected(refreshed.error());
  std::lock_guard lock(mutex_);
  return token_;
}

Status ApiClient::RefreshToken(const std::string& stale) {
  // One refresh at a time; a thread that finds the token already replaced
  // uses the new one instead of refreshing again.
  std::unique_lock lock(mutex_);
  if (token_ != stale && !token_.empty()) return {};
  lock.unlock();
  if (!refresh_)
    return Fail(ErrorCode::kConfig, "the Spotify access token expired and cannot be refreshed");
  Result<std::string> fresh = refresh_();
  if (!fresh) return tl::unexpected(fresh.error());
  lock.lock();
  token_ = std::move(*fresh);
  return {};
}

std::chrono::milliseconds ApiClient::Backoff(int retry) {
  const auto ceiling = std::min<std::int64_t>(options_.backoff_max.count(),
                                              options_.backoff_base.count() << std::min(retry, 30));
  std::lock_guard lock(mutex_);
  std::uniform_int_distribution<std::int64_t> wait(0, std::max<std::int64_t>(ceiling, 0));
  return std::chrono::milliseconds(wait(jitter_));
}

void ApiClient::Sleep(std::chrono::milliseconds wait) const {
  if (options_.sleep) {
    options_.sleep(wait);
  } else {
    std::this_thread::sleep_for(wait);
  }
}

ApiResult<nlohmann::json> ApiClient::GetJson(std::string_view path_or_url) {
  ApiResult<std::string> text = GetText(path_or_url);
  if (!text) return tl::unexpected(text.error());
  nlohmann::json body = nlohmann::json::parse(*text, nullptr, false);
  if (body.is_discarded()) {
    return tl::unexpected(MakeError(ApiErrorKind::kBadResponse, 200,
                                    fmt::format("GET {} answered with a body that is not JSON",
                                                UrlForLog(AbsoluteUrl(path_or_url)))));
  }
  return body;
}

ApiResult<std::string> ApiClient::GetText(std::string_view path_or_url) {
  const std::string url = AbsoluteUrl(path_or_url);
  const std::string shown = UrlForLog(url);
  if (!url.starts_with(options_.api_base + "/")) {
    return tl::unexpected(MakeError(
        ApiErrorKind::kNotAllowed, 0,
        fmt::format("{} is outside the API base {}: not requested", shown, options_.api_base)));
  }
  const int attempts = std::max(1, options_.max_attempts);
  bool refreshed = false;
  std::string last_failure;
  long last_status = 0;
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    Result<std::string> token = Token();
    if (!token) {
      return tl::unexpected(
          ApiError{ApiErrorKind::kUnauthorized, 0, std::chrono::seconds(0), token.error()});
    }
    HttpRequest request;
    request.url = url;
    request.headers = {"Authorization: Bearer " + *token, "Accept: application/json"};
    request.connect_timeout = options_.connect_timeout;
    request.total_timeout = options_.total_timeout;
    Result<HttpResponse> response = [&] {
      Slot slot(*this);
      return PerformHttp(request);
    }();
    std::chrono::milliseconds wait{0};
    if (!response) {
      last_status = 0;
      last_failure = response.error().message;
      wait = Backoff(attempt - 1);
    } else if (response->status >= 200 && response->status < 300) {
      return std::move(response->body);
    } else if (response->status == 429) {
      last_status = 429;
      const std::chrono::seconds asked = ParseRetryAfter(response->retry_after);
      if (asked > options_.retry_after_cap || attempt == attempts) {
        ApiError error = MakeError(
            ApiErrorKind::kRateLimitedPastCap, 429,
            fmt::format("GET {}: Spotify's rate limit asks to wait {} s ({} s at most are "
                        "waited, attempt {} of {}); stopping here, run again later",
                        shown, asked.count(), options_.retry_after_cap.count(), attempt, attempts));
        error.retry_after = asked;
        return tl::unexpected(std::move(error));
      }
      last_failure = "429 Too Many Requests";
      wait = asked;
    } else if (response->status >= 500) {
      last_status = response->status;
      last_failure = fmt::format("HTTP {}", response->status);
      wait = Backoff(attempt - 1);
    } else if (response->status == 401 && !refreshed) {
      refreshed = true;
      spdlog::info("GET {}: the access token expired; refreshing it", shown);
      if (Status status = RefreshToken(*token); !status) {
        return tl::unexpected(
            ApiError{ApiErrorKind::kUnauthorized, 401, std::chrono::seconds(0), status.error()});
      }
      --attempt;  // the retry after a refresh is not a failed attempt
      continue;
    } else {
      const long status = response->status;
      const ApiErrorKind kind = status == 401   ? ApiErrorKind::kUnauthorized
                                : status == 403 ? ApiErrorKind::kForbidden
                                : status == 404 ? ApiErrorKind::kNotFound
                                                : ApiErrorKind::kClientError;
      const char* hint = status == 401   ? ": the token was refused even after a refresh; run "
                                           "`playlake spotify login` again"
                         : status == 403 ? ": this app may not use this endpoint"
                                         : "";
      return tl::unexpected(
          MakeError(kind, status, fmt::format("GET {} answered {}{}", shown, status, hint)));
    }
    if (attempt < attempts) {
      spdlog::warn("GET {}: {}; retry {} of {} in {} ms", shown, last_failure, attempt,
                   attempts - 1, wait.count());
      Sleep(wait);
    }
  }
  return tl::unexpected(MakeError(ApiErrorKind::kRetriesExhausted, last_status,
                                  fmt::format("GET {} failed {} times, last: {}; Spotify may be "
                                              "down, try again later",
                                              shown, attempts, last_failure)));
}

ApiResult<int> ApiClient::ForEachPage(
    std::string_view path_or_url,
    const std::function<Status(const nlohmann::json& page)>& on_page) {
  std::string next(path_or_url);
  int pages = 0;
  while (true) {
    ApiResult<nlohmann::json> page = GetJson(next);
    if (!page) return tl::unexpected(page.error());
    ++pages;
    if (Status status = on_page(*page); !status) {
      return tl::unexpected(
          ApiError{ApiErrorKind::kClientError, 0, std::chrono::seconds(0), status.error()});
    }
    const auto found = page->find("next");
    if (found == page->end() || found->is_null()) return pages;
    if (!found->is_string()) {
      return tl::unexpected(
          MakeError(ApiErrorKind::kBadResponse, 200,
                    fmt::format("GET {}: the page's `next` is not a string", UrlForLog(next))));
    }
    next = found->get<std::string>();
  }
}

}  // namespace playlake::spotify
