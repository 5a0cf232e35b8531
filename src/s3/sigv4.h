// AWS Signature Version 4: signs an HTTP request for S3 (or any AWS-style
// service) with an Authorization header, or presigns it in its query string.
//
//   s3::HttpRequest request{"PUT", "/bucket/silver/plays/part 1.parquet", {},
//                           {{"Host", "127.0.0.1:9000"}}, s3::Sha256Hex(body)};
//   s3::SignWithHeaders(request, credentials, {.region = "us-east-1", .service = "s3",
//                                              .time = now, .sign_content_sha256 = true});
//   curl_url = endpoint + s3::RequestTarget(request, options);  // headers: request.headers
//
// The canonical request is built here, byte for byte, and the request sent must
// be the one signed: send RequestTarget() as the path and query, and exactly
// request.headers. Paths and query parameters are given decoded; they are
// encoded here (RFC 3986 unreserved characters stay, everything else is %XX,
// '/' stays in paths). S3 signs paths as they are (normalize_path false);
// other services remove "." and ".." segments and repeated slashes first.
// Proven against AWS's published test suite (every case, both modes).
//
// Thread safety: pure functions. Errors: none; a request without a Host
// header signs, but no server accepts it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace playlake::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty: none (long-term keys)
};

using Fields = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;        // "GET", "PUT", ...
  std::string path;          // decoded, starting with '/'
  Fields query;              // decoded names and values, in any order
  Fields headers;            // as sent (a name may repeat); must hold Host
  std::string payload_hash;  // hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

struct SigningOptions {
  std::string region;   // "us-east-1"
  std::string service;  // "s3"
  std::chrono::sys_seconds time;
  bool normalize_path = false;       // S3: false
  bool sign_content_sha256 = false;  // send and sign x-amz-content-sha256 (S3 wants it)
  // With a session token in header mode: sign X-Amz-Security-Token (true) or
  // add it after signing (false, as some services expect).
  bool sign_session_token = true;
};

// The intermediate results, for tests and for debugging a refused request.
struct Signature {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;  // lowercase hex
};

// Adds X-Amz-Date, x-amz-content-sha256 (when asked), X-Amz-Security-Token
// (with a session token) and Authorization to request.headers.
Signature SignWithHeaders(HttpRequest& request, const Credentials& credentials,
                          const SigningOptions& options);

// Adds the X-Amz-* parameters, X-Amz-Signature last, to request.query: a URL
// anyone may use until `expires` after options.time.
Signature Presign(HttpRequest& request, const Credentials& credentials,
                  const SigningOptions& options, std::chrono::seconds expires);

// The path and query to send: the canonical (encoded, and normalized when
// asked) path, then '?' and the canonical query when there is one.
std::string RequestTarget(const HttpRequest& request, const SigningOptions& options);

// Lowercase hex SHA-256 of `data` (a payload hash).
std::string Sha256Hex(std::string_view data);

}  // namespace playlake::s3
