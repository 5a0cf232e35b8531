#include "sim/civil_time.h"

#include <fmt/format.h>

#include <cstring>

namespace playlake::sim {

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

int64_t DaysFromCivil(int year, int month, int day) {
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t mp = (month + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0)), m, d};
}

int Weekday(int64_t days) {
  const int64_t w = (days + 4) % 7;  // 1970-01-01 was a Thursday
  return static_cast<int>(w < 0 ? w + 7 : w);
}

Result<int64_t> ParseDate(std::string_view text, std::string_view what) {
  auto fail = [&] {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("{} must be a date YYYY-MM-DD between {}-01-01 and {}-12-31, got '{}'",
                            what, kMinYear, kMaxYear, text));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return fail();
  int parts[3] = {0, 0, 0};
  const int starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (int i = 0; i < lengths[p]; ++i) {
      const char c = text[static_cast<size_t>(starts[p] + i)];
      if (c < '0' || c > '9') return fail();
      parts[p] = parts[p] * 10 + (c - '0');
    }
  }
  if (parts[0] < kMinYear || parts[0] > kMaxYear || parts[1] < 1 || parts[1] > 12 || parts[2] < 1) {
    return fail();
  }
  const int64_t days = DaysFromCivil(parts[0], parts[1], parts[2]);
  const CivilDate back = CivilFromDays(days);
  if (back.day != parts[2] || back.month != parts[1]) return fail();  // e.g. 02-30
  return days;
}

namespace {

void Put2(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

// First Sunday on or after the given day.
int64_t SundayOnOrAfter(int64_t days) { return days + (7 - Weekday(days)) % 7; }

int64_t NthSunday(int year, int month, int n) {
  return SundayOnOrAfter(DaysFromCivil(year, month, 1)) + 7 * (n - 1);
}

int64_t LastSunday(int year, int month) {
  const int64_t last =
      DaysFromCivil(month == 12 ? year + 1 : year, month == 12 ? 1 : month + 1, 1) - 1;
  return last - Weekday(last);
}

}  // namespace

void FormatDate(int64_t days, char* out) {
  const CivilDate c = CivilFromDays(days);
  Put2(out, c.year / 100);
  Put2(out + 2, c.year % 100);
  out[4] = '-';
  Put2(out + 5, c.month);
  out[7] = '-';
  Put2(out + 8, c.day);
}

std::string DateString(int64_t days) {
  std::string s(10, ' ');
  FormatDate(days, s.data());
  return s;
}

void FormatTimestampMs(int64_t utc_ms, char* out) {
  TimestampFormatter f;
  f.Format(utc_ms, out);
}

std::string TimestampString(int64_t utc_ms) {
  std::string s(24, ' ');
  FormatTimestampMs(utc_ms, s.data());
  return s;
}

void TimestampFormatter::Format(int64_t utc_ms, char* out) {
  const int64_t day = FloorDiv(utc_ms, kMsPerDay);
  if (day != cached_day_) {
    cached_day_ = day;
    FormatDate(day, prefix_);
    prefix_[10] = 'T';
  }
  std::memcpy(out, prefix_, 11);
  int64_t ms = utc_ms - day * kMsPerDay;
  const int hour = static_cast<int>(ms / kMsPerHour);
  ms -= hour * kMsPerHour;
  const int minute = static_cast<int>(ms / 60000);
  ms -= minute * 60000;
  const int second = static_cast<int>(ms / 1000);
  const int milli = static_cast<int>(ms - second * 1000);
  Put2(out + 11, hour);
  out[13] = ':';
  Put2(out + 14, minute);
  out[16] = ':';
  Put2(out + 17, second);
  out[19] = '.';
  out[20] = static_cast<char>('0' + milli / 100);
  Put2(out + 21, milli % 100);
  out[23] = 'Z';
}

int32_t UtcOffsetSeconds(const TimeZone& zone, int64_t utc_s) {
  const int32_t std_off = zone.standard_offset_s;
  if (zone.rule == DstRule::kNone) return std_off;
  const int year = CivilFromDays(FloorDiv(utc_s + std_off, 86400)).year;
  const int64_t day_s = 86400;
  int64_t start = 0, end = 0;  // DST instants in UTC seconds
  switch (zone.rule) {
    case DstRule::kNone:
      return std_off;
    case DstRule::kUs:
    case DstRule::kUsPermanentFrom2026:
      start = NthSunday(year, 3, 2) * day_s + 2 * 3600 - std_off;
      if (zone.rule == DstRule::kUsPermanentFrom2026 && year >= 2026) {
        return utc_s >= start || year > 2026 ? std_off + 3600 : std_off;
      }
      end = NthSunday(year, 11, 1) * day_s + 2 * 3600 - (std_off + 3600);
      return (utc_s >= start && utc_s < end) ? std_off + 3600 : std_off;
    case DstRule::kEu:
      start = LastSunday(year, 3) * day_s + 3600;
      end = LastSunday(year, 10) * day_s + 3600;
      return (utc_s >= start && utc_s < end) ? std_off + 3600 : std_off;
    case DstRule::kMexico:
      if (year > 2022) return std_off;
      start = NthSunday(year, 4, 1) * day_s + 2 * 3600 - std_off;
      end = LastSunday(year, 10) * day_s + 2 * 3600 - (std_off + 3600);
      return (utc_s >= start && utc_s < end) ? std_off + 3600 : std_off;
    case DstRule::kAu:
      // Southern hemisphere: summer time spans the new year.
      end = NthSunday(year, 4, 1) * day_s + 3 * 3600 - (std_off + 3600);
      start = NthSunday(year, 10, 1) * day_s + 2 * 3600 - std_off;
      return (utc_s < end || utc_s >= start) ? std_off + 3600 : std_off;
  }
  return std_off;
}

}  // namespace playlake::sim
