// The project's secrets file, <project>/secrets.json: what `playlake spotify
// login` keeps so later runs need no browser.
//
// The file is written atomically with mode 0600 (owner only), and
// `secrets.json` is added to the project's .gitignore (created if missing).
// Other top-level keys of the file are kept as they are. Nothing here logs a
// secret or puts one in an error message.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

namespace playlake::spotify {

struct SpotifySecrets {
  std::string mode;  // "user" (PKCE login) or "app" (client credentials)
  std::string client_id;
  std::string refresh_token;  // "user" mode only
  std::string scope;          // what the listener granted
};

std::filesystem::path SecretsPath(const std::filesystem::path& project_root);

// Saves `secrets` under the key "spotify". Errors: kIo (with the path).
Status SaveSpotifySecrets(const std::filesystem::path& project_root, const SpotifySecrets& secrets);

// Reads them back. No file or no "spotify" key is kNotFound saying to run
// `playlake spotify login`; a malformed file is kConfig naming it.
Result<SpotifySecrets> LoadSpotifySecrets(const std::filesystem::path& project_root);

}  // namespace playlake::spotify
