// Timestamps of every input format, converted to UTC microseconds since the
// Unix epoch (what silver stores as TIMESTAMP WITH TIME ZONE).
//
// Pure functions, thread safe. std::nullopt means "not a valid timestamp of
// this form"; the caller turns it into a quarantine reason.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace playlake::sources {

inline constexpr std::int64_t kMicrosPerSecond = 1'000'000;
inline constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Event times outside [1990-01-01, 2100-01-01) are rejected as out of range:
// they are corrupt clocks or unit mistakes, never real plays.
inline constexpr std::int64_t kMinEventMicros = 631'152'000 * kMicrosPerSecond;
inline constexpr std::int64_t kMaxEventMicros = 4'102'444'800 * kMicrosPerSecond;

// RFC 3339: "2026-11-01T18:23:45.123Z", "2026-11-01T19:23:45+01:00",
// "2026-11-01 18:23:45Z". An offset (or Z) is required; fractions up to µs.
std::optional<std::int64_t> ParseRfc3339(std::string_view text);

// Spotify's legacy "YYYY-MM-DD HH:MM", which is UTC.
std::optional<std::int64_t> ParseMinuteUtc(std::string_view text);

// "YYYY-MM-DD" → micros at 00:00 UTC.
std::optional<std::int64_t> ParseDate(std::string_view text);

// Last.fm's "dd Mon yyyy, HH:MM" ("05 Jan 2021, 19:37"; the comma may be
// missing, the day may have one digit, the month is English in any case),
// which is UTC.
std::optional<std::int64_t> ParseDayMonthYearMinute(std::string_view text);

// A count of epoch units as a CSV or a spreadsheet wrote it: "1630000000123",
// "1630000000123.0", or scientific notation ("1.63E+12", "1.630000000123e12").
// `place` is the power of ten of the last digit written: 0 for "163", 10 for
// "1.63E+12" (the value is known only to ±0.5e10 units), negative for written
// fractions. The value is rounded to an integer.
struct EpochNumber {
  std::int64_t value = 0;
  int place = 0;
  bool scientific = false;
};
std::optional<EpochNumber> ParseEpochNumber(std::string_view text);


// Epoch integers from the input to micros. A value too large for micros gives
// the int64 limit of its sign (far outside the event range, so the caller
// rejects it), never an overflow that could wrap into a plausible time.
inline std::int64_t SaturatingMultiply(std::int64_t value, std::int64_t factor) {
  std::int64_t product;
  if (__builtin_mul_overflow(value, factor, &product)) {
    return value < 0 ? std::numeric_limits<std::int64_t>::min()
                     : std::numeric_limits<std::int64_t>::max();
  }
  return product;
}
inline std::int64_t EpochMillisToMicros(std::int64_t ms) { return SaturatingMultiply(ms, 1000); }
inline std::int64_t EpochSecondsToMicros(std::int64_t s) {
  return SaturatingMultiply(s, kMicrosPerSecond);
}

// Spotify's offline_timestamp is epoch milliseconds in old exports and epoch
// seconds in new ones. Values below 1e11 are seconds (1e11 s is the year
// 5138; 1e11 ms is 1973, before any Spotify export), the rest milliseconds.
// 0 means "not offline" and gives nullopt.
std::optional<std::int64_t> SpotifyOfflineTimestamp(std::int64_t value);

// Days since 1970-01-01 of a UTC micros value (floor).
std::int32_t UtcDay(std::int64_t micros);

}  // namespace playlake::sources
