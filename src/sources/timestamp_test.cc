#include "sources/timestamp.h"

#include <gtest/gtest.h>

#include <limits>

namespace playlake::sources {
namespace {

constexpr std::int64_t kS = kMicrosPerSecond;

TEST(Timestamp, Rfc3339WithZoneAndOffsets) {
  EXPECT_EQ(ParseRfc3339("2023-02-25T11:20:37Z"), 1677324037 * kS);
  EXPECT_EQ(ParseRfc3339("2023-02-25T12:20:37+01:00"), 1677324037 * kS);
  EXPECT_EQ(ParseRfc3339("2023-02-25T06:20:37-0500"), 1677324037 * kS);
  EXPECT_EQ(ParseRfc3339("2023-02-25 11:20:37.123456Z"), 1677324037 * kS + 123456);
  EXPECT_EQ(ParseRfc3339("2023-02-25T11:20:37.5Z"), 1677324037 * kS + 500000);
}

TEST(Timestamp, Rfc3339RejectsMissingOffsetAndGarbage) {
  EXPECT_FALSE(ParseRfc3339("2023-02-25T11:20:37"));
  EXPECT_FALSE(ParseRfc3339("2023-02-30T11:20:37Z"));
  EXPECT_FALSE(ParseRfc3339("yesterday"));
  EXPECT_FALSE(ParseRfc3339("2023-02-25T11:20:37Zjunk"));
}

TEST(Timestamp, LegacyMinuteIsUtc) {
  EXPECT_EQ(ParseMinuteUtc("2020-11-30 04:47"), 1606711620 * kS);
  EXPECT_FALSE(ParseMinuteUtc("2020-11-30T04:47"));
}

TEST(Timestamp, LastfmDayMonthYearMinuteIsUtc) {
  EXPECT_EQ(ParseDayMonthYearMinute("05 Jan 2021, 19:37"), 1609875420 * kS);
  EXPECT_EQ(ParseDayMonthYearMinute("5 jan 2021 19:37"), 1609875420 * kS);
  EXPECT_EQ(ParseDayMonthYearMinute("29 FEB 2024, 00:00"), 1709164800 * kS);
  EXPECT_FALSE(ParseDayMonthYearMinute("30 Feb 2021, 19:37"));
  EXPECT_FALSE(ParseDayMonthYearMinute("05 Jun 2021, 19:37 extra"));
  EXPECT_FALSE(ParseDayMonthYearMinute("05 Foo 2021, 19:37"));
  EXPECT_FALSE(ParseDayMonthYearMinute("2021-01-05 19:37"));
  EXPECT_FALSE(ParseDayMonthYearMinute("05 Jan"));
}

TEST(Timestamp, EpochNumbersAsSpreadsheetsWriteThem) {
  const auto n = [](std::string_view text) { return ParseEpochNumber(text); };
  ASSERT_TRUE(n("1630000000123"));
  EXPECT_EQ(n("1630000000123")->value, 1630000000123);
  EXPECT_EQ(n("1630000000123")->place, 0);
  EXPECT_FALSE(n("1630000000123")->scientific);
  EXPECT_EQ(n("1630000000123.0")->place, -1);
  ASSERT_TRUE(n("1.63E+12"));
  EXPECT_EQ(n("1.63E+12")->value, 1630000000000);
  EXPECT_EQ(n("1.63E+12")->place, 10);  // known to ±0.5e10
  EXPECT_TRUE(n("1.63E+12")->scientific);
  EXPECT_EQ(n("1.630000000123e12")->value, 1630000000123);
  EXPECT_EQ(n("1.630000000123e12")->place, 0);
  EXPECT_EQ(n("1.609875420E+09")->value, 1609875420);
  EXPECT_EQ(n("1.609875420E+09")->place, 0);
  for (std::string_view bad : {"", "E+12", "1.E12", "one", "1.6e", "-1.6e12", "1,6e12", "1e999"}) {
    EXPECT_FALSE(n(bad)) << bad;
  }
}

TEST(Timestamp, EpochUnits) {
  EXPECT_EQ(EpochMillisToMicros(1541105830796), 1541105830796000);
  EXPECT_EQ(EpochSecondsToMicros(1677323975), 1677323975 * kS);
}

TEST(Timestamp, EpochUnitsSaturateInsteadOfWrapping) {
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  // Times 1000 this wraps around to 1700000000000384 (2023-11-14 in µs).
  EXPECT_EQ(EpochMillisToMicros(18448444073709552), kMax);
  EXPECT_EQ(EpochMillisToMicros(-18448444073709552), kMin);
  EXPECT_EQ(EpochMillisToMicros(kMax), kMax);
  EXPECT_EQ(EpochSecondsToMicros(kMin / 1000), kMin);
  EXPECT_EQ(SpotifyOfflineTimestamp(kMax), kMax);
}

TEST(Timestamp, SpotifyOfflineTimestampSecondsOrMillis) {
  EXPECT_EQ(SpotifyOfflineTimestamp(1677323975), 1677323975 * kS);      // new exports: s
  EXPECT_EQ(SpotifyOfflineTimestamp(1577836800123), 1577836800123000);  // old exports: ms
  EXPECT_FALSE(SpotifyOfflineTimestamp(0));
}

TEST(Timestamp, UtcDayFloorsNegative) {
  EXPECT_EQ(UtcDay(0), 0);
  EXPECT_EQ(UtcDay(-1), -1);
  EXPECT_EQ(UtcDay(1541105830796000), 17836);  // 2018-11-01
}

}  // namespace
}  // namespace playlake::sources
