// Calendar arithmetic and time zones, exactly as DuckDB's ICU computes them
// for the zones the simulator uses.
//
// Times are UTC milliseconds since the Unix epoch (int64). Days are days since
// 1970-01-01. The simulator supports the years 2020-2037 (kMinYear..kMaxYear):
// within them every zone below follows one fixed rule, so local time can be
// computed with a few integer operations instead of a tz database. A test
// compares UtcOffsetSeconds against DuckDB for every zone and many instants.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace playlake::sim {

inline constexpr int kMinYear = 2020;
inline constexpr int kMaxYear = 2037;
inline constexpr int64_t kMsPerDay = 86'400'000;
inline constexpr int64_t kMsPerHour = 3'600'000;

struct CivilDate {
  int year;
  int month;  // 1-12
  int day;    // 1-31
};

// Howard Hinnant's days_from_civil / civil_from_days algorithms.
int64_t DaysFromCivil(int year, int month, int day);
CivilDate CivilFromDays(int64_t days);
// 0 = Sunday ... 6 = Saturday.
int Weekday(int64_t days);
int64_t FloorDiv(int64_t a, int64_t b);

// Parses "YYYY-MM-DD" (a real date in kMinYear..kMaxYear) into days since the
// epoch; errors are kInvalidArgument and name `what` (e.g. "--start").
Result<int64_t> ParseDate(std::string_view text, std::string_view what);

// Writes "YYYY-MM-DD" (10 bytes) to out.
void FormatDate(int64_t days, char* out);
std::string DateString(int64_t days);
// "YYYY-MM-DDTHH:MM:SS.mmmZ" (24 bytes).
void FormatTimestampMs(int64_t utc_ms, char* out);
std::string TimestampString(int64_t utc_ms);

// Daylight-saving rules in force 2020-2037 for the zones in geo_data.cc.
enum class DstRule : uint8_t {
  kNone,
  kUs,      // 2nd Sunday of March 02:00 local -> 1st Sunday of November 02:00 local
  // kUs until the 2026 switch to summer time, which stays (British Columbia and
  // Alberta in the tz data of DuckDB 1.5's ICU).
  kUsPermanentFrom2026,
  kEu,      // last Sunday of March 01:00 UTC -> last Sunday of October 01:00 UTC
  kAu,      // 1st Sunday of October 02:00 local -> 1st Sunday of April 03:00 local
  kMexico,  // 1st Sunday of April 02:00 -> last Sunday of October 02:00; none after 2022
};

struct TimeZone {
  const char* name;  // IANA name, written to the `timezone` field
  int32_t standard_offset_s;
  DstRule rule;
};

// Offset from UTC (seconds, local = utc + offset) at the instant utc_s.
int32_t UtcOffsetSeconds(const TimeZone& zone, int64_t utc_s);

// Formats "HH:MM:SS.mmm" quickly for many timestamps of the same day: the
// date prefix is cached. Not thread-safe; one per thread.
class TimestampFormatter {
 public:
  // Writes the 24-byte RFC 3339 form of utc_ms to out.
  void Format(int64_t utc_ms, char* out);

 private:
  int64_t cached_day_ = INT64_MIN;
  char prefix_[11] = {};
};

}  // namespace playlake::sim
