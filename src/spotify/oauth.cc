#include "spotify/oauth.h"

#include <fmt/format.h>
#include <openssl/sha.h>

#include <nlohmann/json.hpp>
#include <random>

#include "spotify/http_transport.h"

namespace playlake::spotify {
namespace {

constexpr std::string_view kUnreserved =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

std::string RandomString(std::size_t length, std::string_view alphabet) {
  std::random_device device;  // the OS's entropy: verifiers and states must not be guessable
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out;
  for (std::size_t i = 0; i < length; ++i) out += alphabet[pick(device)];
  return out;
}

std::string FormBody(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [key, value] : fields) {
    if (!body.empty()) body += '&';
    body += FormEncode(key) + '=' + FormEncode(value);
  }
  return body;
}

// POSTs `fields` to the token endpoint and reads a token answer.
Result<TokenSet> PostToken(const ClientOptions& options,
                           const std::vector<std::pair<std::string, std::string>>& fields,
                           std::vector<std::string> headers, std::string_view what) {
  const std::string url = options.accounts_base + "/api/token";
  headers.push_back("Content-Type: application/x-www-form-urlencoded");
  Result<HttpResponse> response =
      PerformHttp(HttpRequest{.method = "POST",
                              .url = url,
                              .headers = std::move(headers),
                              .body = FormBody(fields),
                              .connect_timeout = options.connect_timeout,
                              .total_timeout = options.total_timeout});
  if (!response) {
    return Fail(ErrorCode::kIo, fmt::format("{}: {}", what, response.error().message));
  }
  const nlohmann::json body = nlohmann::json::parse(response->body, nullptr, false);
  if (response->status != 200) {
    std::string reason = body.is_object() ? body.value("error", "") : "";
    const std::string detail = body.is_object() ? body.value("error_description", "") : "";
    if (reason == "invalid_grant") {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}: Spotify refused the saved login ({}); it was revoked or has "
                              "expired: run `playlake spotify login` again",
                              what, detail.empty() ? reason : detail));
    }
    if (reason == "invalid_client") {
      return Fail(ErrorCode::kConfig,
                  fmt::format("{}: Spotify does not know this client ({}); check the client id "
                              "(and secret) of your app in Spotify's developer dashboard",
                              what, detail.empty() ? reason : detail));
    }
    return Fail(ErrorCode::kIo, fmt::format("{}: POST {} answered {}{}{}", what, url,
                                            response->status, reason.empty() ? "" : " ", reason));
  }
  if (!body.is_object() || !body.contains("access_token") || !body["access_token"].is_string()) {
    return Fail(ErrorCode::kData,
                fmt::format("{}: POST {} answered without an access_token", what, url));
  }
  TokenSet tokens;
  tokens.access_token = body["access_token"].get<std::string>();
  if (body.contains("refresh_token") && body["refresh_token"].is_string()) {
    tokens.refresh_token = body["refresh_token"].get<std::string>();
  }
  tokens.scope = body.value("scope", "");
  if (body.contains("expires_in") && body["expires_in"].is_number_integer()) {
    tokens.expires_in = body["expires_in"].get<int>();
  }
  return tokens;
}

}  // namespace

std::string Base64(std::string_view bytes, bool url_safe) {
  const char* alphabet = url_safe
                             ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += alphabet[(n >> 6) & 63];
    out += alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest > 0) {
    unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    if (rest == 2) out += alphabet[(n >> 6) & 63];
    if (!url_safe) out += rest == 2 ? "=" : "==";
  }
  return out;
}

std::string S256Challenge(std::string_view verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return Base64(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest), true);
}

Pkce NewPkce() {
  Pkce pkce;
  pkce.verifier = RandomString(64, kUnreserved);
  pkce.challenge = S256Challenge(pkce.verifier);
  return pkce;
}

std::string RandomToken() {
  return RandomString(32, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
}

const std::vector<std::string>& DefaultScopes() {
  static const std::vector<std::string> scopes = {"user-read-recently-played", "user-top-read",
                                                  "user-library-read", "playlist-read-private",
                                                  "playlist-read-collaborative"};
  return scopes;
}

std::string AuthorizeUrl(const ClientOptions& options, const std::string& client_id,
                         const std::string& redirect_uri, const std::string& challenge,
                         const std::string& state, const std::vector<std::string>& scopes) {
  std::string scope;
  for (const std::string& one : scopes) scope += (scope.empty() ? "" : " ") + one;
  return options.accounts_base + "/authorize?" +
         FormBody({{"client_id", client_id},
                   {"response_type", "code"},
                   {"redirect_uri", redirect_uri},
                   {"code_challenge_method", "S256"},
                   {"code_challenge", challenge},
                   {"state", state},
                   {"scope", scope}});
}

Result<TokenSet> ExchangeCode(const ClientOptions& options, const std::string& client_id,
                              const std::string& code, const std::string& redirect_uri,
                              const std::string& verifier) {
  return PostToken(options,
                   {{"grant_type", "authorization_code"},
                    {"code", code},
                    {"redirect_uri", redirect_uri},
                    {"client_id", client_id},
                    {"code_verifier", verifier}},
                   {}, "exchanging the authorization code for tokens");
}

Result<TokenSet> RefreshAccessToken(const ClientOptions& options, const std::string& client_id,
                                    const std::string& refresh_token) {
  return PostToken(
      options,
      {{"grant_type", "refresh_token"}, {"refresh_token", refresh_token}, {"client_id", client_id}},
      {}, "refreshing the Spotify access token");
}

Result<TokenSet> ClientCredentialsToken(const ClientOptions& options, const std::string& client_id,
                                        const std::string& client_secret) {
  return PostToken(options, {{"grant_type", "client_credentials"}},
                   {"Authorization: Basic " + Base64(client_id + ":" + client_secret, false)},
                   "getting an app token (client credentials)");
}

}  // namespace playlake::spotify
