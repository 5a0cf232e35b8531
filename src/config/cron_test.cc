#include "config/cron.h"

#include <fmt/chrono.h>
#include <gtest/gtest.h>

#include <cstdio>

namespace playlake::config {
namespace {

// "YYYY-MM-DD HH:MM:SS" in UTC, both ways.
Cron::TimePoint At(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &s), 6) << text;
  const std::chrono::sys_days day{std::chrono::year{y} / mo / d};
  return day + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
}

std::string Next(const std::string& expression, const std::string& after) {
  auto cron = Cron::Parse(expression);
  EXPECT_TRUE(cron.has_value()) << cron.error().message;
  return cron ? fmt::format("{:%Y-%m-%d %H:%M:%S}", cron->Next(At(after))) : "";
}

TEST(Cron, FiveFieldsFireOnTheMinute) {
  EXPECT_EQ(Next("* * * * *", "2026-12-03 18:24:13"), "2026-12-03 18:25:00");
  // Strictly after: a time the expression names gives the next one.
  EXPECT_EQ(Next("* * * * *", "2026-12-03 18:25:00"), "2026-12-03 18:26:00");
  EXPECT_EQ(Next("*/15 * * * *", "2026-12-03 18:24:13"), "2026-12-03 18:30:00");
  EXPECT_EQ(Next("0 * * * *", "2026-12-03 23:59:59"), "2026-12-04 00:00:00");
  EXPECT_EQ(Next("30 2 * * *", "2026-12-31 03:00:00"), "2027-01-01 02:30:00");
}

TEST(Cron, ListsRangesAndSteps) {
  EXPECT_EQ(Next("5,35 8-18/2 * * *", "2026-12-03 08:40:00"), "2026-12-03 10:05:00");
  EXPECT_EQ(Next("5,35 8-18/2 * * *", "2026-12-03 18:35:00"), "2026-12-04 08:05:00");
  // "a/step" runs from a to the end of the field.
  EXPECT_EQ(Next("50/5 * * * *", "2026-12-03 10:56:00"), "2026-12-03 11:50:00");
  EXPECT_EQ(Next("58/1 * * * *", "2026-12-03 10:58:00"), "2026-12-03 10:59:00");
  EXPECT_EQ(Next("0 0 1,15 * *", "2026-12-03 00:00:00"), "2026-12-15 00:00:00");
}

TEST(Cron, NamesOfMonthsAndWeekdays) {
  // 2026-12-03 is a Thursday.
  EXPECT_EQ(Next("0 9 * * mon-fri", "2026-12-04 09:00:00"), "2026-12-07 09:00:00");
  EXPECT_EQ(Next("0 9 * * SAT", "2026-12-03 00:00:00"), "2026-12-05 09:00:00");
  EXPECT_EQ(Next("0 0 1 jan,Jul *", "2026-12-03 00:00:00"), "2027-01-01 00:00:00");
  // 0 and 7 are both Sunday.
  EXPECT_EQ(Next("0 0 * * 7", "2026-12-03 00:00:00"), "2026-12-06 00:00:00");
  EXPECT_EQ(Next("0 0 * * 0", "2026-12-03 00:00:00"), "2026-12-06 00:00:00");
  EXPECT_EQ(Next("0 0 * * 5-7", "2026-12-05 12:00:00"), "2026-12-06 00:00:00");
}

TEST(Cron, DayOfMonthOrDayOfWeekWhenBothAreRestricted) {
  // The 1st, or any Monday: Monday the 7th comes before January the 1st.
  EXPECT_EQ(Next("0 0 1 * mon", "2026-12-03 00:00:00"), "2026-12-07 00:00:00");
  EXPECT_EQ(Next("0 0 1 * mon", "2026-12-28 00:00:00"), "2027-01-01 00:00:00");
  // A day field starting with '*' does not restrict: Mondays that are odd days.
  EXPECT_EQ(Next("0 0 */2 * mon", "2026-12-03 00:00:00"), "2026-12-07 00:00:00");
  EXPECT_EQ(Next("0 0 */2 * mon", "2026-12-07 00:00:00"), "2026-12-21 00:00:00");
}

TEST(Cron, MonthEndsAndLeapDays) {
  EXPECT_EQ(Next("0 0 31 * *", "2026-04-01 00:00:00"), "2026-05-31 00:00:00");
  EXPECT_EQ(Next("0 12 29 2 *", "2026-03-01 00:00:00"), "2028-02-29 12:00:00");
  // 2100 is not a leap year: eight years between two February 29ths.
  EXPECT_EQ(Next("0 0 29 2 *", "2096-02-29 00:00:00"), "2104-02-29 00:00:00");
}

// When a day field starts with '*', a day must match both fields: such a day
// can be more than a decade away (found by the cron fuzzer), or 40 years.
TEST(Cron, DaysThatMustMatchBothFieldsCanBeDecadesApart) {
  EXPECT_EQ(Next("49 5 3 3 4 */20", "2022-04-04 00:00:00"), "2033-04-03 03:05:49");
  EXPECT_EQ(Next("0 0 29 2 */7", "2088-03-01 00:00:00"), "2128-02-29 00:00:00");
}

TEST(Cron, SecondsFieldAndShorthands) {
  EXPECT_EQ(Next("*/20 * * * * *", "2026-12-03 18:24:13"), "2026-12-03 18:24:20");
  EXPECT_EQ(Next("* * * * * *", "2026-12-03 18:24:59"), "2026-12-03 18:25:00");
  EXPECT_EQ(Next("@hourly", "2026-12-03 18:24:13"), "2026-12-03 19:00:00");
  EXPECT_EQ(Next("@daily", "2026-12-03 18:24:13"), "2026-12-04 00:00:00");
  EXPECT_EQ(Next("@midnight", "2026-12-03 18:24:13"), "2026-12-04 00:00:00");
  EXPECT_EQ(Next("@weekly", "2026-12-03 18:24:13"), "2026-12-06 00:00:00");
  EXPECT_EQ(Next("@monthly", "2026-12-03 18:24:13"), "2027-01-01 00:00:00");
  EXPECT_EQ(Next("@yearly", "2026-12-03 18:24:13"), "2027-01-01 00:00:00");
}

struct BadCron {
  const char* expression;
  const char* expected_in_message;
};

class CronErrors : public testing::TestWithParam<BadCron> {};

TEST_P(CronErrors, SayWhatIsWrong) {
  auto cron = Cron::Parse(GetParam().expression);
  ASSERT_FALSE(cron.has_value()) << GetParam().expression;
  EXPECT_EQ(cron.error().code, ErrorCode::kConfig);
  EXPECT_NE(cron.error().message.find(GetParam().expected_in_message), std::string::npos)
      << cron.error().message;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CronErrors,
    testing::Values(BadCron{"", "expected 5 fields"}, BadCron{"* * * *", "not 4"},
                    BadCron{"* * * * * * *", "not 7"}, BadCron{"60 * * * *", "outside 0-59"},
                    BadCron{"* 24 * * *", "hour field '24'"}, BadCron{"* * 0 * *", "outside 1-31"},
                    BadCron{"* * * 13 *", "month field"}, BadCron{"* * * * 8", "outside 0-7"},
                    BadCron{"*/0 * * * *", "step must be a positive number"},
                    BadCron{"10-5 * * * *", "outside"},
                    BadCron{"1,,2 * * * *", "'' is not a value"},
                    BadCron{"1, * * * *", "ends with a comma"},
                    BadCron{"* * * * funday", "'funday' is not a value"},
                    BadCron{"0 0 30 2 *", "no day that exists"},
                    BadCron{"0 0 31 4,6,9,11 *", "no day that exists"},
                    BadCron{"@reboot", "unknown shorthand"}));

}  // namespace
}  // namespace playlake::config
