// The run's publish step: the warehouse's marts out to the project's
// ClickHouse (publish.clickhouse in playlake.yml, docs/deploy.md).
#pragma once

#include <filesystem>

#include "config/project.h"
#include "pipeline/run.h"

namespace playlake::pipeline {

// Publishes every table of the warehouse (models materialized as table or
// incremental) but the staging (stg_) and intermediate (int_) ones, unless target/last_publish.json
// says the last successful build (target/last_build.json) is published there already. A publish
// that fails leaves ClickHouse serving the previous build; the next run publishes again, whether or
// not it builds.
Result<StepOutcome> PublishGold(const config::ProjectConfig& project,
                                const std::filesystem::path& target);

}  // namespace playlake::pipeline
