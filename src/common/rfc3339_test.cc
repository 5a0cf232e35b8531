#include "common/rfc3339.h"

#include <gtest/gtest.h>

namespace playlake {
namespace {

using namespace std::chrono;

TEST(Rfc3339, WritesSecondsWithZ) {
  EXPECT_EQ(FormatRfc3339(sys_seconds{seconds{1677324037}}), "2023-02-25T11:20:37Z");
  EXPECT_EQ(FormatRfc3339(sys_seconds{}), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(sys_days{2026y / 11 / 23} + 13h + 7min + 24s), "2026-11-23T13:07:24Z");
}

TEST(Rfc3339, FloorsToThePrecisionWritten) {
  const auto t = sys_seconds{seconds{1677324037}} + 999'999'999ns;
  EXPECT_EQ(FormatRfc3339(t), "2023-02-25T11:20:37Z");
  EXPECT_EQ(FormatRfc3339(t, SubSeconds::kMicros), "2023-02-25T11:20:37.999999Z");
  const system_clock::time_point clock = sys_seconds{seconds{1677324037}} + 5us;
  EXPECT_EQ(FormatRfc3339(clock, SubSeconds::kMicros), "2023-02-25T11:20:37.000005Z");
}

TEST(Rfc3339, WritesMicrosecondsWhenAsked) {
  const sys_time<microseconds> t{microseconds{1677324037123456}};
  EXPECT_EQ(FormatRfc3339(t, SubSeconds::kMicros), "2023-02-25T11:20:37.123456Z");
  EXPECT_EQ(FormatRfc3339(t), "2023-02-25T11:20:37Z");
}

TEST(Rfc3339, TimesBeforeTheEpochAndFourDigitYears) {
  EXPECT_EQ(FormatRfc3339(sys_time<microseconds>{-1us}, SubSeconds::kMicros),
            "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339(sys_days{year{5} / 1 / 2}), "0005-01-02T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(sys_days{year{9999} / 12 / 31} + 86399s), "9999-12-31T23:59:59Z");
}

}  // namespace
}  // namespace playlake
