#include "serve/gold_api.h"

#include <fmt/format.h>

#include <algorithm>

#include "serve/clickhouse_source.h"
#include "serve/filters.h"
#include "serve/gold_endpoints.h"
#include "serve/response_cache.h"

namespace playlake::serve {

using nlohmann::json;

namespace {

// Checks every query of `queries` (of the API's endpoints alone when
// `endpoints_only`), bound with a neutral value for every filter, with
// `check` (which names the engine's problem with it).
Status CheckQueries(const DashboardQueries& queries, bool endpoints_only,
                    const std::function<Status(const Condition&)>& check) {
  // Every filter set, so that every column a filter reads is bound too.
  const RequestValues neutral{{"2000-01-01", "2000-01-01", "unknown", "unknown", "unknown"},
                              "unknown"};
  std::string problems;
  auto add = [&problems](const std::string& problem) {
    problems += (problems.empty() ? "" : "\n") + problem;
  };
  // Each endpoint the project declares has every query it reads.
  for (const GoldEndpointSpec& endpoint : GoldEndpoints()) {
    if (!queries.HasEndpoint(endpoint.name)) continue;
    for (const std::string& query : endpoint.queries) {
      if (!queries.PathOf(endpoint.name, query).empty()) continue;
      if (auto missing = queries.Bind(endpoint.name, query, neutral); !missing) {
        add(missing.error().message);
      }
    }
  }
  for (const auto& [key, query] : queries.all()) {
    const auto& endpoints = GoldEndpoints();
    if (endpoints_only && std::none_of(endpoints.begin(), endpoints.end(),
                                       [&key](const GoldEndpointSpec& endpoint) {
                                         return key.first == endpoint.name;
                                       })) {
      continue;
    }
    auto bound = queries.Bind(key.first, key.second, neutral);
    if (!bound) {
      add(bound.error().message);
    } else if (auto checked = check(*bound); !checked) {
      add(fmt::format("{}: {}: {}", queries.Describe(key.first), query.path,
                      checked.error().message));
    }
  }
  if (!problems.empty()) return Fail(ErrorCode::kConfig, problems);
  return {};
}

// /api/pipeline: the project's runs, from its target/ folder.
void AddPipelineApi(Server& server, const GoldApiOptions& options) {
  server.AddApi("pipeline",
                [target = options.target_dir,
                 schedule = options.schedule](const Params& params) -> Result<json> {
                  if (auto filters = ParseFilters(params); !filters) {
                    return tl::unexpected(filters.error());
                  }
                  return PipelinePage(target, schedule ? schedule() : json());
                });
}

}  // namespace

Status CheckDashboard(const DashboardQueries& queries, warehouse::Connection& conn) {
  // EXPLAIN binds a query (a missing table or column is an error here)
  // without reading any data.
  return CheckQueries(queries, /*endpoints_only=*/false, [&conn](const Condition& query) -> Status {
    if (auto plan = conn.Query("EXPLAIN " + query.sql, query.params); !plan) {
      return tl::unexpected(plan.error());
    }
    return {};
  });
}

Status CheckClickHouseDashboard(const DashboardQueries& queries,
                                const publish::ClickHouseTarget& target) {
  return CheckQueries(queries, /*endpoints_only=*/true, [&target](const Condition& query) -> Status {
    if (auto rows = ClickHouseSource(target).Rows(query); !rows) {
      return tl::unexpected(rows.error());
    }
    return {};
  });
}

std::function<void()> RegisterGoldApi(Server& server, warehouse::Reader& gold,
                                      GoldApiOptions options) {
  auto cache = std::make_shared<ResponseCache>(options.cache_entries);
  auto queries = std::make_shared<const DashboardQueries>(std::move(options.queries));
  std::vector<ApiHandler> unfiltered;
  for (const GoldEndpointSpec& spec : GoldEndpoints()) {
    ApiHandler handler = [&gold, cache, queries, name = std::string(spec.name),
                          endpoint = spec.answer](const Params& params) -> Result<json> {
      const std::string key = ResponseCache::Key(name, params);
      // The build held here answers the whole request, even if a newer one lands meanwhile.
      const warehouse::Reader::Snapshot build = gold.Current();
      if (auto hit = cache->Find(key, build.generation)) return *std::move(hit);
      DuckDbSource source(*build.db);
      auto answer = endpoint(source, *queries, params);
      if (answer) cache->Put(key, build.generation, *answer);
      return answer;
    };
    if (options.cache_entries > 0) unfiltered.push_back(handler);
    server.AddApi(spec.name, std::move(handler));
  }
  // The dashboard opens on unfiltered pages: answer those before the first visitor.
  auto warm = [unfiltered] {
    for (const auto& handler : unfiltered) (void)handler({});
  };
  if (options.warm) warm();
  AddPipelineApi(server, options);
  return warm;
}

void RegisterClickHouseApi(Server& server, const publish::ClickHouseTarget& target,
                           GoldApiOptions options) {
  auto queries = std::make_shared<const DashboardQueries>(std::move(options.queries));
  for (const GoldEndpointSpec& spec : GoldEndpoints()) {
    server.AddApi(spec.name, [target, queries, endpoint = spec.answer](const Params& params) {
      ClickHouseSource source(target);
      return endpoint(source, *queries, params);
    });
  }
  AddPipelineApi(server, options);
}

}  // namespace playlake::serve
