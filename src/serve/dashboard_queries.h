// The dashboard's SQL, as the model project declares it: one exposure per
// API endpoint, its queries in analyses/<endpoint>/<query>.sql, compiled by
// the model runner (models/exposures.h) so that ref() follows the project.
//
// Besides SQL, a query holds request placeholders, filled in per request:
//   {filters(expr)}               the date range on expr, country, device, level
//   {filters_except_level(expr)}  the same without level
//   {dates(expr)}                 the date range on expr only
//   {user}                        the listener the page shows
// Each becomes SQL with `?` markers and the values to bind, in the order they
// appear, so a value a visitor sends is never spliced into SQL. A query never
// writes `?` itself.
//
// Thread safety: immutable after construction; safe to share between threads.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "models/exposures.h"
#include "serve/filters.h"
#include "warehouse/duckdb.h"

namespace playlake::serve {

// What a request fills the placeholders with.
struct RequestValues {
  Filters filters;
  std::string user;
};

class DashboardQueries {
 public:
  DashboardQueries() = default;
  explicit DashboardQueries(const std::vector<models::ExposureQuery>& queries);

  // Loads the model project in `models_dir` and compiles its exposures'
  // queries for DuckDB, or for ClickHouse (models::CompileClickHouseQueries).
  // Errors: those of models::Project::Load and of the compilation.
  enum class Engine { kDuckDb, kClickHouse };
  static Result<DashboardQueries> Load(const std::filesystem::path& models_dir,
                                       Engine engine = Engine::kDuckDb);
  // `compiled`: models::CompileExposureQueries(project). Also names the pages
  // of exposures that have no query files. Only the exposures `include`
  // accepts are kept (all of them when it is empty).
  static DashboardQueries FromProject(
      const models::Project& project, const std::vector<models::ExposureQuery>& compiled,
      const std::function<bool(const models::Exposure&)>& include = {});

  // True when the project declares the endpoint (an exposure of that name).
  bool HasEndpoint(const std::string& endpoint) const;
  // How messages name an exposure: "dashboard page 'Overview' (exposure
  // overview)" for a dashboard, "exposure demo (Demo headlines)" otherwise.
  std::string Describe(const std::string& endpoint) const;
  // Every query: (exposure, query name) -> compiled query.
  const std::map<std::pair<std::string, std::string>, models::ExposureQuery>& all() const {
    return queries_;
  }
  // The query `name` of `endpoint` with its placeholders filled in from `values`.
  // Errors: kConfig when the project has no such query or it holds an unknown
  // placeholder or a `?`.
  Result<Condition> Bind(const std::string& endpoint, const std::string& name,
                         const RequestValues& values) const;
  // The file the query came from (for messages), or "" when there is none.
  std::string PathOf(const std::string& endpoint, const std::string& name) const;

 private:
  std::map<std::pair<std::string, std::string>, models::ExposureQuery> queries_;
  struct Page {
    std::string label;
    std::string type;
  };
  std::map<std::string, Page> pages_;  // by exposure name
};

// Replaces the placeholders of `sql` (see above). Errors: kConfig naming an
// unknown placeholder or a `?` outside placeholders.
Result<Condition> FillPlaceholders(const std::string& sql, const RequestValues& values);

}  // namespace playlake::serve
