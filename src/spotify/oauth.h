// Spotify's accounts service: PKCE, the token endpoint and its errors.
//
// Authorization Code with PKCE (RFC 7636, S256) for a listener's data, and
// Client Credentials for catalog-only use. Every function here talks to
// `accounts_base` (ClientOptions) and never logs a token, code, verifier or
// secret; errors name the endpoint and what to do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "spotify/api_client.h"

namespace playlake::spotify {

// A random code verifier (64 characters of A-Z a-z 0-9 - . _ ~) and its S256
// challenge.
struct Pkce {
  std::string verifier;
  std::string challenge;
};
Pkce NewPkce();

// BASE64URL(SHA256(verifier)) without padding: RFC 7636's S256 method.
std::string S256Challenge(std::string_view verifier);

// Base64 of `bytes` (RFC 4648): `url_safe` uses - and _ and drops the padding.
std::string Base64(std::string_view bytes, bool url_safe);

// 32 random URL-safe characters (the `state` guarding the redirect).
std::string RandomToken();

// The scopes `playlake spotify login` asks for: plays, top items, saved
// tracks and playlists, all read-only.
const std::vector<std::string>& DefaultScopes();

// The URL the listener opens to grant access.
std::string AuthorizeUrl(const ClientOptions& options, const std::string& client_id,
                         const std::string& redirect_uri, const std::string& challenge,
                         const std::string& state, const std::vector<std::string>& scopes);

struct TokenSet {
  std::string access_token;
  std::string refresh_token;  // empty when the answer has none (refresh may omit it)
  std::string scope;
  int expires_in = 0;  // seconds
};

// Exchanges an authorization code (with the PKCE verifier) for tokens.
Result<TokenSet> ExchangeCode(const ClientOptions& options, const std::string& client_id,
                              const std::string& code, const std::string& redirect_uri,
                              const std::string& verifier);

// A new access token from a refresh token (PKCE apps send no secret). A
// revoked or expired refresh token (invalid_grant) is Error{kConfig} telling
// the user to run `playlake spotify login` again.
Result<TokenSet> RefreshAccessToken(const ClientOptions& options, const std::string& client_id,
                                    const std::string& refresh_token);

// An app token for the catalog endpoints (no listener data).
Result<TokenSet> ClientCredentialsToken(const ClientOptions& options, const std::string& client_id,
                                        const std::string& client_secret);

}  // namespace playlake::spotify
