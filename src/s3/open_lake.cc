#include "s3/open_lake.h"

#include <fmt/format.h>

#include <cstdlib>

#include "s3/s3_storage.h"

namespace playlake::s3 {
namespace {

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

std::string FirstOf(std::initializer_list<std::string> values) {
  for (const auto& v : values) {
    if (!v.empty()) return v;
  }
  return "";
}

}  // namespace

bool IsS3Location(const std::string& location) { return location.starts_with("s3://"); }

Result<std::unique_ptr<lake::Lake>> OpenLake(const std::string& location,
                                             const config::S3LakeConfig& settings,
                                             lake::LakeOptions options) {
  if (!IsS3Location(location)) return lake::Lake::OpenLocal(location, std::move(options));
  const std::string path = location.substr(5);
  const std::string bucket = path.substr(0, path.find('/'));
  const std::string prefix = bucket.size() < path.size() ? path.substr(bucket.size() + 1) : "";
  if (bucket.empty()) {
    return Fail(ErrorCode::kConfig,
                fmt::format("lake '{}': expected s3://BUCKET or s3://BUCKET/PREFIX", location));
  }
  auto credentials = CredentialsFromEnv();
  if (!credentials) return tl::unexpected(credentials.error());
  S3Config config;
  config.bucket = bucket;
  config.region =
      FirstOf({settings.region, Env("AWS_REGION"), Env("AWS_DEFAULT_REGION"), "us-east-1"});
  config.endpoint = FirstOf({settings.endpoint, Env("AWS_ENDPOINT_URL_S3"), Env("AWS_ENDPOINT_URL"),
                             fmt::format("https://s3.{}.amazonaws.com", config.region)});
  config.credentials = std::move(*credentials);
  auto client = S3Client::Create(std::move(config));
  if (!client) return tl::unexpected(client.error());

  std::filesystem::path cache = settings.cache;
  if (cache.empty()) {
    const std::string home = Env("HOME");
    const std::filesystem::path base =
        FirstOf({Env("XDG_CACHE_HOME"), home.empty() ? "/tmp" : home + "/.cache"});
    cache = base / "playlake" / bucket / prefix;
  }
  S3StorageOptions storage_options;
  storage_options.client = std::move(*client);
  storage_options.prefix = prefix;
  storage_options.cache = cache;
  auto storage = S3Storage::Create(std::move(storage_options));
  if (!storage) return tl::unexpected(storage.error());
  return std::make_unique<lake::Lake>(std::move(*storage), std::move(options));
}

Result<std::unique_ptr<lake::Lake>> OpenLake(const config::ProjectConfig& project,
                                             lake::LakeOptions options) {
  return OpenLake(project.lake.string(), project.s3, std::move(options));
}

}  // namespace playlake::s3
