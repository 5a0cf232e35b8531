// The dashboard's queries on the gold tables published to ClickHouse
// (publish/clickhouse.h), for `playlake serve --from clickhouse`.
//
// ClickHouse 18.16 has no query parameters, so a request's values become
// literals: each `?` of a bound query (DashboardQueries::Bind) is replaced by
// its value, `?::DATE` by toDate('YYYY-MM-DD') of a checked date, any other by
// a quoted and escaped string. The answers are converted by the types
// ClickHouse names (JSONCompact's meta) to the JSON the DuckDB path gives:
// integers (64-bit ones arrive quoted) as numbers, floats as floats even when
// whole, dates and strings as strings, NULL as null, and
// Enum8('false' = 0, 'true' = 1) as a boolean (18.16 has no Bool type).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "publish/clickhouse.h"
#include "serve/gold_endpoints.h"

namespace playlake::serve {

// Thread safety: one per request, like every GoldSource.
class ClickHouseSource : public GoldSource {
 public:
  // `target.database`: where gold is published.
  explicit ClickHouseSource(publish::ClickHouseTarget target);
  // Errors: kIo when ClickHouse cannot be reached or fails the query (its
  // message), kInvalidArgument for a value that cannot be a literal.
  Result<nlohmann::json> Rows(const Condition& query) override;

 private:
  publish::ClickHouseTarget target_;
};

// `query`'s SQL with its values as ClickHouse literals (see above).
// Errors: kInvalidArgument for a date that is not YYYY-MM-DD, or as many
// values as `?` markers.
Result<std::string> ClickHouseSql(const Condition& query);

// The rows of a JSONCompact answer, converted as described above.
// Errors: kIo naming what in the answer could not be read.
Result<nlohmann::json> ClickHouseRows(const std::string& answer);

}  // namespace playlake::serve
