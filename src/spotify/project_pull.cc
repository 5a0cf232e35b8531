#include "spotify/project_pull.h"

#include <spdlog/spdlog.h>

#include "spotify/oauth.h"
#include "spotify/secrets.h"

namespace playlake::spotify {

Result<TokenRefresher> SavedLoginRefresher(const std::filesystem::path& project_root,
                                           const ClientOptions& options,
                                           const std::string& client_secret) {
  Result<SpotifySecrets> secrets = LoadSpotifySecrets(project_root);
  if (!secrets) return tl::unexpected(secrets.error());
  if (secrets->mode == "app") {
    if (client_secret.empty()) {
      return Fail(ErrorCode::kConfig,
                  "this project uses app access: set SPOTIFY_CLIENT_SECRET in the environment");
    }
    return TokenRefresher(
        [options, id = secrets->client_id, client_secret]() -> Result<std::string> {
          auto token = ClientCredentialsToken(options, id, client_secret);
          if (!token) return tl::unexpected(token.error());
          return token->access_token;
        });
  }
  return TokenRefresher([options, id = secrets->client_id,
                         refresh = secrets->refresh_token]() -> Result<std::string> {
    auto token = RefreshAccessToken(options, id, refresh);
    if (!token) return tl::unexpected(token.error());
    return token->access_token;
  });
}

Result<std::vector<PullReport>> PullProjectSources(lake::Lake& lake,
                                                   const config::ProjectConfig& project) {
  std::vector<PullReport> reports;
  for (const config::SourceConfig& source : project.sources) {
    if (!source.spotify_api) continue;
    const config::SpotifyApiSourceConfig& api = *source.spotify_api;
    ClientOptions options;
    options.api_base = api.api_base;
    options.accounts_base = api.accounts_base;
    options.max_concurrency = api.concurrency;
    auto refresher = SavedLoginRefresher(project.root, options, api.client_secret);
    if (!refresher) {
      return Fail(refresher.error().code,
                  fmt::format("source {}: {}", source.name, refresher.error().message));
    }
    ApiClient client(options, "", *refresher);
    auto report = PullSpotifySource(lake, source, client);
    if (!report) {
      return Fail(report.error().code,
                  fmt::format("source {}: {}", source.name, report.error().message));
    }
    spdlog::info("{}", report->Summary());
    reports.push_back(std::move(*report));
  }
  return reports;
}

}  // namespace playlake::spotify
