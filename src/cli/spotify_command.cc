// playlake spotify: log in to the Spotify Web API and call it (docs/spotify.md).
#include <fcntl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/command.h"
#include "config/project.h"
#include "lake/lake.h"
#include "spotify/api_client.h"
#include "spotify/login.h"
#include "spotify/oauth.h"
#include "spotify/project_pull.h"
#include "spotify/secrets.h"
#include "s3/open_lake.h"

namespace playlake::cli {
namespace {

// The flags every spotify subcommand shares.
struct SpotifyFlags {
  std::string project = ".";
  std::string api_url = "https://api.spotify.com/v1";
  std::string accounts_url = "https://accounts.spotify.com";
};

struct LoginFlags {
  std::string client_id;
  int port = 8888;
  bool client_credentials = false;
  bool no_browser = false;
  int timeout_s = 300;
};

void AddSharedFlags(CLI::App& command, SpotifyFlags& flags) {
  command.add_option("--project", flags.project, "Project folder (with playlake.yml)")
      ->capture_default_str();
  command.add_option("--api-url", flags.api_url, "Base URL of the Web API")->capture_default_str();
  command.add_option("--accounts-url", flags.accounts_url, "Base URL of the accounts service")
      ->capture_default_str();
}

spotify::ClientOptions ClientOptionsFor(const SpotifyFlags& flags) {
  spotify::ClientOptions options;
  options.api_base = flags.api_url;
  options.accounts_base = flags.accounts_url;
  return options;
}

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// Opens `url` in the desktop's browser when there is a desktop.
void OpenBrowser(const std::string& url) {
  if (Environment("DISPLAY").empty() && Environment("WAYLAND_DISPLAY").empty()) return;
  const pid_t child = ::fork();
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, STDOUT_FILENO);  // the browser's chatter stays out of our output
    ::dup2(null, STDERR_FILENO);
    ::execlp("xdg-open", "xdg-open", url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
}

Status LoginAsApp(const config::ProjectConfig& project, const SpotifyFlags& flags,
                  const std::string& client_id) {
  const std::string secret = Environment("SPOTIFY_CLIENT_SECRET");
  if (secret.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "--client-credentials needs SPOTIFY_CLIENT_SECRET in the environment (the "
                "secret is never saved)");
  }
  Result<spotify::TokenSet> token =
      spotify::ClientCredentialsToken(ClientOptionsFor(flags), client_id, secret);
  if (!token) return tl::unexpected(token.error());
  if (Status saved = spotify::SaveSpotifySecrets(project.root, {"app", client_id, "", ""});
      !saved) {
    return saved;
  }
  std::cout << fmt::format(
      "Spotify app access works (catalog only). Each run takes SPOTIFY_CLIENT_SECRET from the "
      "environment; {} records the mode.\n",
      spotify::SecretsPath(project.root).string());
  return {};
}

Status Login(const SpotifyFlags& flags, const LoginFlags& login) {
  Result<config::ProjectConfig> project = config::LoadProject(flags.project);
  if (!project) return tl::unexpected(project.error());
  const std::string client_id =
      login.client_id.empty() ? Environment("SPOTIFY_CLIENT_ID") : login.client_id;
  if (client_id.empty()) {
    return Fail(ErrorCode::kInvalidArgument,
                "no client id: pass --client-id or set SPOTIFY_CLIENT_ID (your app's id in "
                "Spotify's developer dashboard)");
  }
  if (login.client_credentials) return LoginAsApp(*project, flags, client_id);
  spotify::LoginOptions options;
  options.client = ClientOptionsFor(flags);
  options.client_id = client_id;
  options.port = login.port;
  options.timeout = std::chrono::seconds(login.timeout_s);
  options.show = [&](const std::string& url) {
    std::cout << "Open this URL in a browser and allow access:\n" << url << "\n" << std::flush;
    if (!login.no_browser) OpenBrowser(url);
  };
  Result<spotify::TokenSet> tokens = spotify::LoginWithPkce(options);
  if (!tokens) return tl::unexpected(tokens.error());
  if (tokens->refresh_token.empty()) {
    return Fail(ErrorCode::kData, "Spotify's token answer had no refresh token; try again");
  }
  if (Status saved = spotify::SaveSpotifySecrets(
          project->root, {"user", client_id, tokens->refresh_token, tokens->scope});
      !saved) {
    return saved;
  }
  std::cout << fmt::format(
      "Logged in. The refresh token is kept in {} (owner only, ignored by "
      "git).\n",
      spotify::SecretsPath(project->root).string());
  return {};
}

// The refresher of a saved login, with the app's secret from the environment
// for app access.
Result<spotify::TokenRefresher> RefresherFor(const config::ProjectConfig& project,
                                             const spotify::ClientOptions& options) {
  return spotify::SavedLoginRefresher(project.root, options, Environment("SPOTIFY_CLIENT_SECRET"));
}

Status Get(const SpotifyFlags& flags, const std::string& path) {
  Result<config::ProjectConfig> project = config::LoadProject(flags.project);
  if (!project) return tl::unexpected(project.error());
  const spotify::ClientOptions options = ClientOptionsFor(flags);
  Result<spotify::TokenRefresher> refresher = RefresherFor(*project, options);
  if (!refresher) return tl::unexpected(refresher.error());
  spotify::ApiClient client(options, "", *refresher);
  spotify::ApiResult<nlohmann::json> answer = client.GetJson(path);
  if (!answer) return tl::unexpected(answer.error().error);
  std::cout << answer->dump(2) << "\n";
  return {};
}

// Pulls the project's spotify_api sources into the lake, as `playlake run`
// does before it builds gold.
// `crash_at`: a step of lake::kCrashSteps at which the process kills itself
// (tests of the commit protocol); empty: none.
Status Pull(const std::string& project_dir, const std::string& crash_at) {
  Result<config::ProjectConfig> project = config::LoadProject(project_dir);
  if (!project) return tl::unexpected(project.error());
  lake::CrashAt crash(crash_at);
  lake::LakeOptions options;
  if (!crash_at.empty()) options.faults = &crash;
  auto lake = s3::OpenLake(*project, std::move(options));
  if (!lake) return tl::unexpected(lake.error());
  auto reports = spotify::PullProjectSources(**lake, *project);
  if (!reports) return tl::unexpected(reports.error());
  if (reports->empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{}/playlake.yml has no spotify_api source (see docs/spotify.md)",
                            project->root.string()));
  }
  for (const auto& report : *reports) std::cout << report.Summary() << "\n";
  return {};
}

}  // namespace

void AddSpotifyCommand(CLI::App& app, CommandBody& selected) {
  CLI::App* spotify = app.add_subcommand(
      "spotify", "The Spotify Web API: log in, call it and pull it (see docs/spotify.md)");
  spotify->require_subcommand(1);

  auto flags = std::make_shared<SpotifyFlags>();
  auto login = std::make_shared<LoginFlags>();
  CLI::App* login_command = spotify->add_subcommand(
      "login",
      "Log in to Spotify. Prints a URL to open in a browser (Authorization Code with PKCE), waits "
      "for Spotify to send the browser back to http://127.0.0.1:PORT/callback, and keeps the "
      "refresh token in the project's secrets.json (mode 0600, ignored by git). With "
      "--client-credentials, checks app access (catalog only) using SPOTIFY_CLIENT_ID and "
      "SPOTIFY_CLIENT_SECRET from the environment instead.");
  AddSharedFlags(*login_command, *flags);
  login_command->add_option("--client-id", login->client_id,
                            "Your app's client id (default: $SPOTIFY_CLIENT_ID)");
  login_command
      ->add_option("--port", login->port,
                   "Loopback port of the redirect; your app must list "
                   "http://127.0.0.1:PORT/callback as a redirect URI")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  login_command->add_flag("--client-credentials", login->client_credentials,
                          "App access for the catalog only (no listener data)");
  login_command->add_flag("--no-browser", login->no_browser,
                          "Only print the URL; do not open a browser");
  login_command->add_option("--timeout", login->timeout_s, "Seconds to wait for the browser")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  login_command->callback(
      [&selected, flags, login] { selected = [flags, login] { return Login(*flags, *login); }; });

  auto path = std::make_shared<std::string>();
  CLI::App* get_command = spotify->add_subcommand(
      "get",
      "GET one Web API path with the saved login and print the JSON answer (refreshing the "
      "token and retrying as a pull does), e.g. `playlake spotify get /me/top/artists`.");
  AddSharedFlags(*get_command, *flags);
  get_command->add_option("path", *path, "API path under the base URL, such as /tracks/ID")
      ->required();
  get_command->callback(
      [&selected, flags, path] { selected = [flags, path] { return Get(*flags, *path); }; });

  auto pull_project = std::make_shared<std::string>(".");
  auto crash_at = std::make_shared<std::string>();
  CLI::App* pull_command = spotify->add_subcommand(
      "pull",
      "Pull the project's spotify_api sources into bronze and silver now (what `playlake run` "
      "does before it builds gold), and print what landed and any warning.");
  pull_command->add_option("--project", *pull_project, "Project folder (with playlake.yml)")
      ->capture_default_str();
  pull_command->add_option("--crash-at", *crash_at, "")->group("");  // tests only
  pull_command->callback([&selected, pull_project, crash_at] {
    selected = [pull_project, crash_at] { return Pull(*pull_project, *crash_at); };
  });
}

}  // namespace playlake::cli
