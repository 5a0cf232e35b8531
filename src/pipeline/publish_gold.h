// The run's publish step: the warehouse's marts out to the project's
// ClickHouse (publish.clickhouse in playlake.yml, docs/deploy.md).
#pragma once

#include <filesystem>

#include "config/project.h"
#include "pipeline/run.h"
#include "publish/clickhouse.h"

namespace playlake::pipeline {

// Where publish.clickhouse says gold is published (url, database, credentials).
publish::ClickHouseTarget ClickHouseTargetOf(const config::ClickHouseConfig& config);

// Publishes every table of the warehouse (models materialized as table or
// incremental) but the staging (stg_) and intermediate (int_) ones, unless target/last_publish.json
// says the last successful build (target/last_build.json) is published there already. A publish
// that fails leaves ClickHouse serving the previous build; the next run publishes again, whether or
// not it builds. Then the dashboard's queries compiled for ClickHouse are checked against the
// published tables (serve::CheckClickHouseDashboard): a failing one fails the step with kConfig
// naming its file, and the next run publishes and checks again.
Result<StepOutcome> PublishGold(const config::ProjectConfig& project,
                                const std::filesystem::path& target);

}  // namespace playlake::pipeline
