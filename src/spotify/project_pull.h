// The project's side of the Spotify source: the saved login as a token
// refresher, and pulling every `spotify_api` source of playlake.yml (what
// `playlake run` and `playlake spotify pull` do).
//
// Thread safety: none needed; each call builds its own client.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/project.h"
#include "lake/lake.h"
#include "spotify/api_client.h"
#include "spotify/pull.h"

namespace playlake::spotify {

// The refresher of the login saved in the project's secrets.json: the
// listener's refresh token ("user" mode), or client credentials with
// `client_secret` ("app" mode; empty: an error saying to set
// SPOTIFY_CLIENT_SECRET). Errors: kNotFound (no login: run `playlake spotify
// login`), kConfig.
Result<TokenRefresher> SavedLoginRefresher(const std::filesystem::path& project_root,
                                           const ClientOptions& options,
                                           const std::string& client_secret);

// Pulls every spotify_api source of `project`, in order; a project without
// one gives an empty list. The first source that fails stops the pulls.
Result<std::vector<PullReport>> PullProjectSources(lake::Lake& lake,
                                                   const config::ProjectConfig& project);

}  // namespace playlake::spotify
