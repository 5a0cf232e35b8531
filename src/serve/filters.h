// The dashboard's filters (date range, country, device, level), validated from
// query parameters and turned into a SQL condition with bound parameters.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "serve/server.h"
#include "warehouse/duckdb.h"

namespace playlake::serve {

struct Filters {
  std::optional<std::string> from;     // YYYY-MM-DD, inclusive
  std::optional<std::string> to;       // YYYY-MM-DD, inclusive
  std::optional<std::string> country;  // ISO 3166-1 alpha-2 or "unknown"
  std::optional<std::string> device;   // one of the contract's devices or "unknown"
  std::optional<std::string> level;    // free, paid, unknown
};

// Parses `params`. `allowed_extra` names further parameters the endpoint
// reads itself. Any other parameter, or a malformed value, is
// Error{kInvalidArgument} naming it.
Result<Filters> ParseFilters(const Params& params,
                             const std::vector<std::string>& allowed_extra = {});

// A SQL condition ("1=1" when no filter is set) and the parameters it binds,
// in order. `date_expr` is the SQL of the date to filter on; country, device
// and level are read from columns of those names, prefixed by `prefix` (e.g. "f.").
struct Condition {
  std::string sql;
  std::vector<warehouse::Param> params;
};
Condition WhereClause(const Filters& filters, const std::string& date_expr = "date_key",
                      const std::string& prefix = "");

}  // namespace playlake::serve
