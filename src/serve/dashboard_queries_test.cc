// The dashboard's request placeholders become bound parameters, in order.
#include "serve/dashboard_queries.h"

#include <gtest/gtest.h>

#include "serve/gold_api.h"

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
      {"overview", "Overview", "dashboard", "kpis", "analyses/overview/kpis.sql", "select 1"}});
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

TEST(DashboardQueries, CheckNamesThePageAndTheMissingColumn) {
  auto db = warehouse::Database::Open("");
  ASSERT_TRUE(db) << db.error().message;
  auto conn = (*db)->Connect();
  ASSERT_TRUE(conn) << conn.error().message;
  ASSERT_TRUE(
      (*conn)->Query("CREATE TABLE days (date_key DATE, country VARCHAR, device VARCHAR, "
                     "level VARCHAR, plays BIGINT)"));
  const std::string good = "select sum(plays) as plays from days where {filters(date_key)}";
  const DashboardQueries fine(std::vector<models::ExposureQuery>{
      {"geography", "Geography", "dashboard", "countries", "analyses/geography/countries.sql",
       good},
      {"demo", "Demo headlines", "application", "totals", "analyses/demo/totals.sql", good}});
  // Geography declares one of its three queries: the other two are missing.
  const auto missing = CheckDashboard(fine, **conn);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().message.find("dashboard page 'Geography' (exposure geography): the "
                                         "model project has no query geography/regions.sql"),
            std::string::npos)
      << missing.error().message;
  EXPECT_EQ(missing.error().message.find("demo"), std::string::npos) << missing.error().message;

  const DashboardQueries renamed(std::vector<models::ExposureQuery>{
      {"demo", "Demo headlines", "application", "totals", "analyses/demo/totals.sql",
       "select sum(play_count) from days where {dates(date_key)}"}});
  const auto bad = CheckDashboard(renamed, **conn);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::kConfig);
  EXPECT_NE(bad.error().message.find("exposure demo (Demo headlines): analyses/demo/totals.sql: "),
            std::string::npos)
      << bad.error().message;
  EXPECT_NE(bad.error().message.find("play_count"), std::string::npos) << bad.error().message;
  EXPECT_TRUE(CheckDashboard(DashboardQueries(), **conn));
}

}  // namespace
}  // namespace playlake::serve
