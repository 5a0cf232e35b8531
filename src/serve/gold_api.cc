#include "serve/gold_api.h"

#include <fmt/format.h>

#include "serve/filters.h"
#include "serve/gold_endpoints.h"
#include "serve/response_cache.h"

namespace playlake::serve {

using nlohmann::json;

Status CheckDashboard(const DashboardQueries& queries, warehouse::Connection& conn) {
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
  // Every query plans on the warehouse: EXPLAIN binds it (a missing table or
  // column is an error here) without reading any data.
  for (const auto& [key, query] : queries.all()) {
    auto bound = queries.Bind(key.first, key.second, neutral);
    if (!bound) {
      add(bound.error().message);
    } else if (auto plan = conn.Query("EXPLAIN " + bound->sql, bound->params); !plan) {
      add(fmt::format("{}: {}: {}", queries.Describe(key.first), query.path, plan.error().message));
    }
  }
  if (!problems.empty()) return Fail(ErrorCode::kConfig, problems);
  return {};
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
      auto answer = endpoint(*build.db, *queries, params);
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
  server.AddApi("pipeline",
                [target = options.target_dir,
                 schedule = options.schedule](const Params& params) -> Result<json> {
                  if (auto filters = ParseFilters(params); !filters) {
                    return tl::unexpected(filters.error());
                  }
                  return PipelinePage(target, schedule ? schedule() : json());
                });
  return warm;
}

}  // namespace playlake::serve
