#include "spotify/secrets.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/atomic_file.h"

namespace playlake::spotify {
namespace {

constexpr const char* kFileName = "secrets.json";

// Reads the whole file; a missing file is an empty object.
Result<nlohmann::json> ReadSecretsFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return nlohmann::json::object();
    return Fail(ErrorCode::kIo, fmt::format("cannot read {}", path.string()));
  }
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, false);
  if (!doc.is_object()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("{} is not a JSON object; remove it and run `playlake spotify login` "
                            "again",
                            path.string()));
  }
  return doc;
}

// Adds `secrets.json` to <root>/.gitignore unless a line already names it.
Status IgnoreInGit(const std::filesystem::path& root) {
  const std::filesystem::path path = root / ".gitignore";
  std::string text;
  if (std::ifstream in(path, std::ios::binary); in) {
    std::stringstream whole;
    whole << in.rdbuf();
    text = whole.str();
  }
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line == kFileName || line == std::string("/") + kFileName) return {};
  }
  std::ofstream out(path, std::ios::app);
  if (!text.empty() && text.back() != '\n') out << '\n';
  out << "/" << kFileName << '\n';
  if (!out) return Fail(ErrorCode::kIo, fmt::format("cannot write {}", path.string()));
  return {};
}

}  // namespace

std::filesystem::path SecretsPath(const std::filesystem::path& project_root) {
  return project_root / kFileName;
}

Status SaveSpotifySecrets(const std::filesystem::path& project_root,
                          const SpotifySecrets& secrets) {
  const std::filesystem::path path = SecretsPath(project_root);
  Result<nlohmann::json> doc = ReadSecretsFile(path);
  if (!doc) return tl::unexpected(doc.error());
  nlohmann::json spotify = {{"mode", secrets.mode}, {"client_id", secrets.client_id}};
  if (!secrets.refresh_token.empty()) spotify["refresh_token"] = secrets.refresh_token;
  if (!secrets.scope.empty()) spotify["scope"] = secrets.scope;
  (*doc)["spotify"] = spotify;
  // Ignored before it exists, so no `git add -A` can catch it.
  if (Status ignored = IgnoreInGit(project_root); !ignored) return ignored;

  // Created 0600 from the start: the secret is never readable by others.
  auto file = AtomicFile::Create(path, Durability::kDurable, 0600);
  if (!file) return tl::unexpected(file.error());
  if (Status written = (*file)->Append(doc->dump(2) + "\n"); !written) return written;
  return (*file)->Commit();
}

Result<SpotifySecrets> LoadSpotifySecrets(const std::filesystem::path& project_root) {
  const std::filesystem::path path = SecretsPath(project_root);
  Result<nlohmann::json> doc = ReadSecretsFile(path);
  if (!doc) return tl::unexpected(doc.error());
  const auto found = doc->find("spotify");
  if (found == doc->end() || !found->is_object()) {
    return Fail(ErrorCode::kNotFound,
                fmt::format("no Spotify login in {}: run `playlake spotify login --project {}`",
                            path.string(), project_root.string()));
  }
  SpotifySecrets secrets;
  secrets.mode = found->value("mode", "");
  secrets.client_id = found->value("client_id", "");
  secrets.refresh_token = found->value("refresh_token", "");
  secrets.scope = found->value("scope", "");
  if ((secrets.mode != "user" && secrets.mode != "app") || secrets.client_id.empty() ||
      (secrets.mode == "user" && secrets.refresh_token.empty())) {
    return Fail(ErrorCode::kConfig,
                fmt::format("the Spotify login in {} is incomplete: run `playlake spotify login "
                            "--project {}` again",
                            path.string(), project_root.string()));
  }
  return secrets;
}

}  // namespace playlake::spotify
