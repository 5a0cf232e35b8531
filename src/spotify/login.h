// The browser half of `playlake spotify login`: Authorization Code with PKCE
// through a loopback redirect.
//
// LoginWithPkce starts a one-shot HTTP server on 127.0.0.1:PORT (Spotify
// refuses `localhost` redirects), shows the authorize URL through `show`,
// waits for the browser to come back to /callback, checks `state`, and
// exchanges the code (with the PKCE verifier) for tokens. The callback is
// served once; later requests get 410. Nothing here logs a token or code.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "spotify/api_client.h"
#include "spotify/oauth.h"

namespace playlake::spotify {

struct LoginOptions {
  ClientOptions client;  // accounts_base and timeouts
  std::string client_id;
  int port = 8888;  // 0: any free port (the redirect URI then names it)
  std::vector<std::string> scopes = DefaultScopes();
  std::chrono::seconds timeout{300};  // how long to wait for the browser
  // Called once with the authorize URL (print it, open a browser).
  std::function<void(const std::string& authorize_url)> show;
};

// "http://127.0.0.1:PORT/callback".
std::string RedirectUri(int port);

// Errors: kIo when the port cannot be bound (names it) or the token endpoint
// fails; kConfig when the listener refuses, the state does not match, or the
// wait times out.
Result<TokenSet> LoginWithPkce(const LoginOptions& options);

}  // namespace playlake::spotify
