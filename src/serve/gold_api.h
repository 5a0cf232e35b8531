// The dashboard's read-only JSON API over the gold layer (docs/api.md).
//
// Each endpoint answers one page of the dashboard from the gold tables in the
// warehouse. Filterable breakdowns read the serving cubes (agg_*) under the
// request's filters; answers that only make sense over all listeners (trending now,
// rank movement, week-over-week genres, audio features, retention, anomalies)
// come from their marts, restricted to the date range, and say so in "scope".
#pragma once

#include <filesystem>
#include <functional>

#include <nlohmann/json.hpp>

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
};

// Registers every /api endpoint on `server`. `gold` must outlive the server.
// Each request answers from the newest build of gold on a connection of its
// own, so requests run concurrently and a rebuild never mixes into an answer.
// Returns what warms the cache: it answers every endpoint without filters on
// the newest build (a no-op when the cache is off); call it after a new build
// lands so the dashboard's first pages are answered from the cache again.
std::function<void()> RegisterGoldApi(Server& server, warehouse::Reader& gold,
                                      GoldApiOptions options);

// Prometheus text for the pipeline, from the files in `target_dir`: runs by
// status, time of the last successful run, rows per table and layer,
// quarantined records by reason.
std::string PipelineMetrics(const std::filesystem::path& target_dir);

// Renders a query result as a JSON array of objects, numbers as JSON numbers.
nlohmann::json ToJson(const warehouse::Table& table);

}  // namespace playlake::serve
