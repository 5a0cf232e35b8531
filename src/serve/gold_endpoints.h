// The API endpoints over gold (docs/api.md), one per page of the dashboard.
// Each reads the queries of its exposure (DashboardQueries) by name and
// assembles the page's JSON from their rows.
//
// Thread safety: endpoints are pure functions of the database and their
// arguments; each opens its own connection.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "serve/dashboard_queries.h"
#include "serve/server.h"
#include "warehouse/duckdb.h"

namespace playlake::serve {

// Where one request's queries run: the DuckDB warehouse (DuckDbSource), or
// the tables published to ClickHouse (ClickHouseSource, clickhouse_source.h).
// One per request; not thread safe.
class GoldSource {
 public:
  virtual ~GoldSource() = default;
  // The rows of `query` (SQL with `?` markers and their values, as
  // DashboardQueries::Bind gives it) as ToJson renders them.
  virtual Result<nlohmann::json> Rows(const Condition& query) = 0;
};

// The queries of a request on one connection to `db`, opened by the first.
// `db` must outlive it.
class DuckDbSource : public GoldSource {
 public:
  explicit DuckDbSource(warehouse::Database& db) : db_(db) {}
  Result<nlohmann::json> Rows(const Condition& query) override;

 private:
  warehouse::Database& db_;
  std::unique_ptr<warehouse::Connection> conn_;
};

using GoldEndpoint = Result<nlohmann::json> (*)(GoldSource&, const DashboardQueries&,
                                                const Params&);

struct GoldEndpointSpec {
  const char* name;                  // /api/<name>, and the exposure's name
  GoldEndpoint answer;               //
  std::vector<std::string> queries;  // the queries it reads: analyses/<name>/<query>.sql
};

// Every endpoint over gold, in the order they are registered.
const std::vector<GoldEndpointSpec>& GoldEndpoints();

// Renders a query result as a JSON array of objects, numbers as JSON numbers.
nlohmann::json ToJson(const warehouse::Table& table);

}  // namespace playlake::serve
