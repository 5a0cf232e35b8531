// The dashboard's read-only JSON API over the gold layer (docs/api.md).
//
// Each endpoint answers one page of the dashboard from the gold tables in the
// warehouse, with the queries the model project declares for it (an exposure
// and its analyses/<endpoint>/*.sql, see dashboard_queries.h); endpoints in
// gold_endpoints.h, the pipeline page and /metrics in pipeline_artifacts.h. Filterable breakdowns
// read the serving cubes (agg_*) under the request's filters; answers that only make sense over all
// listeners (trending now, rank movement, week-over-week genres, audio features, retention,
// anomalies) come from their marts, restricted to the date range, and say so in "scope".
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>

#include "publish/clickhouse.h"
#include "serve/dashboard_queries.h"
#include "serve/pipeline_artifacts.h"
#include "serve/server.h"
#include "warehouse/duckdb.h"
#include "warehouse/sharing.h"

namespace playlake::serve {

struct GoldApiOptions {
  // The project's target/ folder (manifest.json, run_results.json, run history).
  std::filesystem::path target_dir;
  // Answers kept in memory (least recently used forgotten first); 0: none.
  std::size_t cache_entries = 1024;
  // Answer every endpoint without filters once at registration, so the
  // dashboard's first page views are served from the cache.
  bool warm = true;
  // The pipeline page's schedule: {"cron", "next_run_at"}, asked at each
  // request; empty: the project has none (the answer says null).
  std::function<nlohmann::json()> schedule;
  // The endpoints' SQL, from the project's model project
  // (DashboardQueries::Load). An endpoint whose query is missing answers an
  // error naming the page and the file.
  DashboardQueries queries;
};

// Registers every /api endpoint on `server`. `gold` must outlive the server.
// Each request answers from the newest build of gold on a connection of its
// own, so requests run concurrently and a rebuild never mixes into an answer.
// Returns what warms the cache: it answers every endpoint without filters on
// the newest build (a no-op when the cache is off); call it after a new build
// lands so the dashboard's first pages are answered from the cache again.
std::function<void()> RegisterGoldApi(Server& server, warehouse::Reader& gold,
                                      GoldApiOptions options);

// Registers the same endpoints answered from the tables the publish step
// loaded into ClickHouse at `target` (`target.database`), with
// `options.queries` compiled for ClickHouse (DashboardQueries::Engine::
// kClickHouse). Answers are not cached (cache_entries and warm are ignored):
// each one reads the tables ClickHouse serves at that moment, which a publish
// swaps at any time. While ClickHouse cannot be reached an endpoint answers
// an error naming it (kIo, which the server answers as 503).
void RegisterClickHouseApi(Server& server, const publish::ClickHouseTarget& target,
                           GoldApiOptions options);

// Checks the exposures' queries against the warehouse on `conn`: each endpoint
// the project declares (an exposure named after it) has every query it reads,
// and every query of every exposure binds (its tables and columns exist) with
// every filter set to a neutral value; nothing runs. A project without
// exposures passes.
// Errors: Error{kConfig}, one line per failing query, naming the dashboard
// page (or the exposure), the query's file and DuckDB's message (e.g. the
// missing column).
Status CheckDashboard(const DashboardQueries& queries, warehouse::Connection& conn);

// The same check of the queries compiled for ClickHouse against the tables
// published at `target`, for the exposures the API answers (GoldEndpoints:
// other exposures, such as `playlake demo`'s, read DuckDB alone). As 18.16
// has no EXPLAIN, each query runs, with every filter set to a neutral value (a
// day of 2000), so it reads little.
Status CheckClickHouseDashboard(const DashboardQueries& queries,
                                const publish::ClickHouseTarget& target);

}  // namespace playlake::serve
