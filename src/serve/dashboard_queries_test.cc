// The dashboard's request placeholders become bound parameters, in order.
#include "serve/dashboard_queries.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

using warehouse::Param;

TEST(DashboardQueries, FiltersBecomeBoundParametersInOrder) {
  const RequestValues values{{"2026-06-01", std::nullopt, "SE", std::nullopt, "paid"}, "u1"};
  auto bound = FillPlaceholders(
      "select 1 from t where user_id = {user} and {filters(date_key)} and {dates(week_start)}",
      values);
  ASSERT_TRUE(bound) << bound.error().message;
  EXPECT_EQ(bound->sql,
            "select 1 from t where user_id = ? and 1=1 AND date_key >= ?::DATE AND country = ? "
            "AND level = ? and 1=1 AND week_start >= ?::DATE");
  EXPECT_EQ(bound->params, (std::vector<Param>{"u1", "2026-06-01", "SE", "paid", "2026-06-01"}));
}

TEST(DashboardQueries, ExceptLevelAndExpressionsWithParentheses) {
  const RequestValues values{{std::nullopt, "2026-06-30", std::nullopt, "tv", "free"}, ""};
  auto bound = FillPlaceholders(
      "where {filters_except_level(cast(hour_start as date))} and x = {'a': 1}", values);
  ASSERT_TRUE(bound) << bound.error().message;
  EXPECT_EQ(bound->sql,
            "where 1=1 AND cast(hour_start as date) <= ?::DATE AND device = ? and x = {'a': 1}");
  EXPECT_EQ(bound->params, (std::vector<Param>{"2026-06-30", "tv"}));
}

TEST(DashboardQueries, UnknownPlaceholdersAndBareMarkersAreRefused) {
  const RequestValues values;
  auto unknown = FillPlaceholders("where {country}", values);
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().message.find("unknown placeholder {country}"), std::string::npos);
  auto bare = FillPlaceholders("where user_id = ?", values);
  ASSERT_FALSE(bare);
  EXPECT_NE(bare.error().message.find("'?'"), std::string::npos);
  auto open = FillPlaceholders("where {dates(date_key}", values);
  ASSERT_FALSE(open);
  EXPECT_NE(FillPlaceholders("where {filters}", values).error().message.find("needs the date"),
            std::string::npos);
}

TEST(DashboardQueries, MissingQueryNamesThePage) {
  const DashboardQueries queries(std::vector<models::ExposureQuery>{
      {"overview", "Overview", "kpis", "analyses/overview/kpis.sql", "select 1"}});
  EXPECT_TRUE(queries.HasEndpoint("overview"));
  EXPECT_FALSE(queries.HasEndpoint("trending"));
  auto kpis = queries.Bind("overview", "kpis", {});
  ASSERT_TRUE(kpis) << kpis.error().message;
  EXPECT_EQ(kpis->sql, "select 1");
  auto daily = queries.Bind("overview", "daily", {});
  ASSERT_FALSE(daily);
  EXPECT_NE(daily.error().message.find("dashboard page 'Overview'"), std::string::npos);
  EXPECT_NE(daily.error().message.find("overview/daily.sql"), std::string::npos);
}

}  // namespace
}  // namespace playlake::serve
