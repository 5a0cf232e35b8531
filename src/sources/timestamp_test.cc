#include "sources/timestamp.h"

#include <gtest/gtest.h>

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

TEST(Timestamp, EpochUnits) {
  EXPECT_EQ(EpochMillisToMicros(1541105830796), 1541105830796000);
  EXPECT_EQ(EpochSecondsToMicros(1677323975), 1677323975 * kS);
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
