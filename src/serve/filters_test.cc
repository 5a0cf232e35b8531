#include "serve/filters.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

TEST(Filters, AcceptsValidValuesAndBuildsABoundCondition) {
  auto filters = ParseFilters({{"from", "2026-01-01"},
                               {"to", "2026-01-31"},
                               {"country", "SE"},
                               {"device", "mobile"},
                               {"level", "paid"}});
  ASSERT_TRUE(filters.has_value()) << filters.error().message;
  const Condition condition = WhereClause(*filters);
  EXPECT_EQ(condition.sql,
            "1=1 AND date_key >= ?::DATE AND date_key <= ?::DATE AND country = ? AND device = ? "
            "AND level = ?");
  EXPECT_EQ(condition.params,
            (std::vector<warehouse::Param>{"2026-01-01", "2026-01-31", "SE", "mobile", "paid"}));
}

TEST(Filters, PrefixesColumnsForJoins) {
  auto filters = ParseFilters({{"from", "2026-01-01"}, {"country", "SE"}});
  ASSERT_TRUE(filters.has_value());
  EXPECT_EQ(WhereClause(*filters, "f.date_key", "f.").sql,
            "1=1 AND f.date_key >= ?::DATE AND f.country = ?");
}

TEST(Filters, EmptyValuesMeanAll) {
  auto filters = ParseFilters({{"country", ""}, {"from", ""}});
  ASSERT_TRUE(filters.has_value());
  EXPECT_EQ(WhereClause(*filters).sql, "1=1");
}

struct Bad {
  Params params;
  const char* message;
};

class FiltersErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(FiltersErrors, NameTheParameter) {
  auto filters = ParseFilters(GetParam().params);
  ASSERT_FALSE(filters.has_value());
  EXPECT_EQ(filters.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(filters.error().message.find(GetParam().message), std::string::npos)
      << filters.error().message;
}

INSTANTIATE_TEST_SUITE_P(Cases, FiltersErrors,
                         ::testing::Values(Bad{{{"from", "2026-13-01"}}, "from: expected a date"},
                                           Bad{{{"to", "2026-02-30"}}, "to: expected a date"},
                                           Bad{{{"from", "yesterday'; DROP TABLE fct_plays; --"}},
                                               "from: expected a date"},
                                           Bad{{{"country", "se"}}, "country: expected"},
                                           Bad{{{"country", "SE' OR 1=1"}}, "country: expected"},
                                           Bad{{{"device", "fridge"}}, "device: expected"},
                                           Bad{{{"level", "gold"}}, "level: expected"},
                                           Bad{{{"colour", "red"}}, "unknown parameter 'colour'"},
                                           Bad{{{"junk", ""}}, "unknown parameter 'junk'"},
                                           Bad{{{"from", "2026-02-01"}, {"to", "2026-01-01"}},
                                               "is after"}));

}  // namespace
}  // namespace playlake::serve
