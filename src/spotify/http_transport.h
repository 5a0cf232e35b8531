// One HTTP exchange over libcurl: the transport under the Spotify client.
//
// PerformHttp sends one request and returns the answer, whatever its status;
// it never retries (ApiClient decides that). Thread safe: each call uses its
// own curl handle. Header values (a bearer token, Basic credentials) and the
// body are never logged or put in an error message.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/result.h"

namespace playlake::spotify {

struct HttpRequest {
  std::string method = "GET";        // GET or POST
  std::string url;                   // absolute http:// or https:// URL
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent for POST
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{30'000};  // the whole exchange
};

struct HttpResponse {
  long status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, empty when absent
  std::string location;     // the Location header, empty when absent
};

// Performs `request`. An HTTP answer of any status is a value; a transport
// failure (connection refused, timeout, reset) is Error{kIo} naming the URL
// without its query string and saying whether it timed out.
Result<HttpResponse> PerformHttp(const HttpRequest& request);

// `url` without its query string and fragment: what log lines and errors show.
std::string UrlForLog(const std::string& url);

// application/x-www-form-urlencoded escaping of one key or value.
std::string FormEncode(const std::string& text);

}  // namespace playlake::spotify
