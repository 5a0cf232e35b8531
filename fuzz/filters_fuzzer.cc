// The API's filter parameters (date range, country, device, level) and the SQL
// condition built from them. Input: a query string, "name=value&name=value".
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_input.h"
#include "serve/filters.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace playlake;
  serve::Params params;
  std::string_view query = fuzz::AsText(data, size);
  while (!query.empty()) {
    const std::size_t end = query.find('&');
    const std::string_view pair = query.substr(0, end);
    const std::size_t eq = pair.find('=');
    params[std::string(pair.substr(0, eq))] =
        eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1));
    if (end == std::string_view::npos) break;
    query.remove_prefix(end + 1);
  }
  auto filters = serve::ParseFilters(params, {"limit", "days"});
  if (!filters) {
    if (filters.error().code != ErrorCode::kInvalidArgument)
      fuzz::Violated("a bad filter that is not kInvalidArgument");
    return 0;
  }
  const serve::Condition condition = serve::WhereClause(*filters, "f.date_key", "f.");
  // Values reach SQL only as bound parameters: one `?` per parameter, and no
  // value's text in the SQL.
  if (static_cast<std::size_t>(std::count(condition.sql.begin(), condition.sql.end(), '?')) !=
      condition.params.size()) {
    fuzz::Violated("placeholders and parameters differ in number");
  }
  for (const auto& value :
       {filters->from, filters->to, filters->country, filters->device, filters->level}) {
    if (value && value->size() > 2 && condition.sql.find(*value) != std::string::npos) {
      fuzz::Violated("a value in the SQL text");
    }
  }
  return 0;
}
