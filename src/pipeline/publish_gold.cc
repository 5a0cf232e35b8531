#include "pipeline/publish_gold.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/atomic_file.h"
#include "publish/clickhouse.h"
#include "serve/gold_api.h"
#include "warehouse/duckdb.h"

namespace playlake::pipeline {

using nlohmann::json;

namespace {

json ReadJson(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) return json::object();
  json j = json::parse(in, nullptr, false);
  return j.is_object() ? j : json::object();
}

}  // namespace

publish::ClickHouseTarget ClickHouseTargetOf(const config::ClickHouseConfig& config) {
  publish::ClickHouseTarget target;
  target.url = config.url;
  target.database = config.database;
  target.user = config.user;
  target.password = config.password;
  return target;
}

Result<StepOutcome> PublishGold(const config::ProjectConfig& project,
                                const std::filesystem::path& target) {
  const config::ClickHouseConfig& ch = project.clickhouse;
  const std::string built_at = ReadJson(target / "last_build.json").value("built_at", "");
  if (built_at.empty()) return StepOutcome{0, "nothing built yet to publish"};
  const json published = {{"built_at", built_at}, {"url", ch.url}, {"database", ch.database}};
  const auto record = target / "last_publish.json";
  if (ReadJson(record) == published) {
    return StepOutcome{
        0, fmt::format("ClickHouse {} already serves the build of {}", ch.database, built_at)};
  }

  warehouse::DatabaseOptions options;
  options.read_only = true;
  auto db = warehouse::Database::Open(project.warehouse.string(), options);
  if (!db) return tl::unexpected(db.error());
  auto conn = (*db)->Connect();
  if (!conn) return tl::unexpected(conn.error());
  auto listed = (*conn)->Query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND "
      "table_type = 'BASE TABLE' AND NOT starts_with(table_name, 'stg_') AND "
      "NOT starts_with(table_name, 'int_') ORDER BY table_name");
  if (!listed) return tl::unexpected(listed.error());
  std::vector<std::string> tables;
  for (const auto& row : listed->rows) tables.push_back(*row[0]);
  if (tables.empty()) return StepOutcome{0, "the warehouse has no tables to publish"};

  const publish::ClickHouseTarget to = ClickHouseTargetOf(ch);
  auto report = publish::PublishTables(**conn, tables, to, target / "publish");
  if (!report) return tl::unexpected(report.error());
  auto queries =
      serve::DashboardQueries::Load(project.models, serve::DashboardQueries::Engine::kClickHouse);
  if (!queries) return tl::unexpected(queries.error());
  if (auto checked = serve::CheckClickHouseDashboard(*queries, to); !checked) {
    return Fail(ErrorCode::kConfig,
                fmt::format("published to ClickHouse {}, but the dashboard's queries fail there "
                            "(`playlake serve --from clickhouse` would answer errors):\n{}",
                            ch.database, checked.error().message));
  }
  if (auto s = WriteFileAtomically(record, published.dump(2) + '\n'); !s) {
    return tl::unexpected(s.error());
  }
  return StepOutcome{report->rows, fmt::format("{} tables, {} rows to ClickHouse {} at {}",
                                               report->tables, report->rows, ch.database, ch.url)};
}

}  // namespace playlake::pipeline
