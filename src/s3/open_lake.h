// OpenLake: the lake a project (or a --lake flag) names, in a local folder or
// on an S3-compatible store (`s3://bucket/prefix`).
//
//   auto lake = s3::OpenLake(project, {});
//
// For S3, credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN; the endpoint from `s3.endpoint`, else AWS_ENDPOINT_URL_S3
// or AWS_ENDPOINT_URL, else AWS's endpoint of the region; the region from
// `s3.region`, else AWS_REGION or AWS_DEFAULT_REGION, else us-east-1; the
// cache from `s3.cache`, else $XDG_CACHE_HOME (or ~/.cache)/playlake/BUCKET/PREFIX.
#pragma once

#include <memory>
#include <string>

#include "config/project.h"
#include "lake/lake.h"

namespace playlake::s3 {

bool IsS3Location(const std::string& location);

Result<std::unique_ptr<lake::Lake>> OpenLake(const std::string& location,
                                             const config::S3LakeConfig& settings,
                                             lake::LakeOptions options);
Result<std::unique_ptr<lake::Lake>> OpenLake(const config::ProjectConfig& project,
                                             lake::LakeOptions options);

}  // namespace playlake::s3
