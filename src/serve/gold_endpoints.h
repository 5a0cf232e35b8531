// The API endpoints over gold (docs/api.md), one per page of the dashboard.
// Each reads the queries of its exposure (DashboardQueries) by name and
// assembles the page's JSON from their rows.
//
// Thread safety: endpoints are pure functions of the database and their
// arguments; each opens its own connection.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "serve/dashboard_queries.h"
#include "serve/server.h"
#include "warehouse/duckdb.h"

namespace playlake::serve {

using GoldEndpoint = Result<nlohmann::json> (*)(warehouse::Database&, const DashboardQueries&,
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
