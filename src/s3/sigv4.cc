#include "s3/sigv4.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>

namespace playlake::s3 {
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

std::string Hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xF];
  }
  return out;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

// RFC 3986 percent-encoding: unreserved characters stay, and '/' when asked.
std::string Encode(std::string_view text, bool keep_slash) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out += c;
    } else {
      out += fmt::format("%{:02X}", byte);
    }
  }
  return out;
}

// Removes "." and ".." segments and empty ones; keeps a trailing slash.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto segment : segments) out += fmt::format("/{}", segment);
  if (out.empty() || path.ends_with('/')) out += '/';
  return out;
}

std::string CanonicalPath(const HttpRequest& request, const SigningOptions& options) {
  return Encode(options.normalize_path ? NormalizePath(request.path) : request.path, true);
}

std::string CanonicalQuery(const Fields& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query)
    encoded.emplace_back(Encode(name, false), Encode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out += '&';
    out += fmt::format("{}={}", name, value);
  }
  return out;
}

// A header value as signed: trimmed, each run of white space (line breaks of a
// folded value included) one space.
std::string CanonicalValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (const char c : value) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

struct CanonicalHeaders {
  std::string lines;         // "name:value\n" per name, sorted
  std::string signed_names;  // "name;name"
};

// Lowercase names, sorted; the values of a repeated name joined by ',' in order.
CanonicalHeaders Canonicalize(const Fields& headers) {
  std::vector<std::pair<std::string, std::string>> lowered;
  lowered.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    lowered.emplace_back(std::move(lower), CanonicalValue(value));
  }
  std::stable_sort(lowered.begin(), lowered.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  CanonicalHeaders out;
  for (std::size_t i = 0; i < lowered.size(); ++i) {
    const bool same_as_previous = i > 0 && lowered[i].first == lowered[i - 1].first;
    if (same_as_previous) {
      out.lines.back() = ',';  // the previous line's '\n'
    } else {
      if (!out.signed_names.empty()) out.signed_names += ';';
      out.signed_names += lowered[i].first;
      out.lines += lowered[i].first + ':';
    }
    out.lines += lowered[i].second + '\n';
  }
  return out;
}

std::string Date(const SigningOptions& options) { return fmt::format("{:%Y%m%d}", options.time); }
std::string DateTime(const SigningOptions& options) {
  return fmt::format("{:%Y%m%dT%H%M%SZ}", options.time);
}
std::string Scope(const SigningOptions& options) {
  return fmt::format("{}/{}/{}/aws4_request", Date(options), options.region, options.service);
}

// Signs `request` as it stands now (its headers and query are final).
Signature Sign(const HttpRequest& request, const CanonicalHeaders& headers,
               const Credentials& credentials, const SigningOptions& options) {
  Signature out;
  out.canonical_request = fmt::format(
      "{}\n{}\n{}\n{}\n{}\n{}", request.method, CanonicalPath(request, options),
      CanonicalQuery(request.query), headers.lines, headers.signed_names, request.payload_hash);
  out.string_to_sign = fmt::format("{}\n{}\n{}\n{}", kAlgorithm, DateTime(options), Scope(options),
                                   Sha256Hex(out.canonical_request));
  std::string key = Hmac("AWS4" + credentials.secret_access_key, Date(options));
  for (const std::string& part : {options.region, options.service, std::string("aws4_request")}) {
    key = Hmac(key, part);
  }
  const std::string mac = Hmac(key, out.string_to_sign);
  out.signature = Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
  return out;
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof digest);
}

Signature SignWithHeaders(HttpRequest& request, const Credentials& credentials,
                          const SigningOptions& options) {
  request.headers.emplace_back("X-Amz-Date", DateTime(options));
  if (options.sign_content_sha256) {
    request.headers.emplace_back("x-amz-content-sha256", request.payload_hash);
  }
  const bool token = !credentials.session_token.empty();
  if (token && options.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  const CanonicalHeaders headers = Canonicalize(request.headers);
  Signature signature = Sign(request, headers, credentials, options);
  if (token && !options.sign_session_token) {
    request.headers.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  request.headers.emplace_back("Authorization",
                               fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}",
                                           kAlgorithm, credentials.access_key_id, Scope(options),
                                           headers.signed_names, signature.signature));
  return signature;
}

Signature Presign(HttpRequest& request, const Credentials& credentials,
                  const SigningOptions& options, std::chrono::seconds expires) {
  const CanonicalHeaders headers = Canonicalize(request.headers);
  const bool token = !credentials.session_token.empty();
  request.query.emplace_back("X-Amz-Algorithm", kAlgorithm);
  request.query.emplace_back("X-Amz-Credential",
                             fmt::format("{}/{}", credentials.access_key_id, Scope(options)));
  request.query.emplace_back("X-Amz-Date", DateTime(options));
  request.query.emplace_back("X-Amz-Expires", std::to_string(expires.count()));
  request.query.emplace_back("X-Amz-SignedHeaders", headers.signed_names);
  if (token && options.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  Signature signature = Sign(request, headers, credentials, options);
  if (token && !options.sign_session_token) {
    request.query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  request.query.emplace_back("X-Amz-Signature", signature.signature);
  return signature;
}

std::string RequestTarget(const HttpRequest& request, const SigningOptions& options) {
  std::string query = CanonicalQuery(request.query);
  return query.empty() ? CanonicalPath(request, options)
                       : fmt::format("{}?{}", CanonicalPath(request, options), query);
}

}  // namespace playlake::s3
