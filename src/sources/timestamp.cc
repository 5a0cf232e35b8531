#include "sources/timestamp.h"

#include <array>
#include <charconv>
#include <chrono>
#include <cmath>

namespace playlake::sources {
namespace {

bool Digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

std::optional<std::int64_t> CivilMicros(int y, int mo, int d, int h, int mi, int sec) {
  using namespace std::chrono;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const std::int64_t days = sys_days{ymd}.time_since_epoch().count();
  return (days * 86'400 + h * 3600 + mi * 60 + sec) * kMicrosPerSecond;
}

}  // namespace

std::optional<std::int64_t> ParseRfc3339(std::string_view s) {
  int y, mo, d, h, mi, sec;
  if (!Digits(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      !Digits(s, 11, 2, h) || s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' ||
      !Digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t fraction = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) fraction = fraction * 10 + (s[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return std::nullopt;
    for (int k = n; k < 6; ++k) fraction *= 10;
  }
  if (pos >= s.size()) return std::nullopt;  // an offset is required
  std::int64_t offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh)) return std::nullopt;
    std::size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!Digits(s, mpos, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset = sign * (oh * 3600 + om * 60) * kMicrosPerSecond;
    pos = mpos + 2;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  auto base = CivilMicros(y, mo, d, h, mi, sec);
  if (!base) return std::nullopt;
  return *base + fraction - offset;
}

std::optional<std::int64_t> ParseMinuteUtc(std::string_view s) {
  int y, mo, d, h, mi;
  if (s.size() != 16 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) ||
      s[7] != '-' || !Digits(s, 8, 2, d) || s[10] != ' ' || !Digits(s, 11, 2, h) ||
      s[13] != ':' || !Digits(s, 14, 2, mi)) {
    return std::nullopt;
  }
  return CivilMicros(y, mo, d, h, mi, 0);
}

std::optional<std::int64_t> ParseDate(std::string_view s) {
  int y, mo, d;
  if (s.size() != 10 || !Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) ||
      s[7] != '-' || !Digits(s, 8, 2, d)) {
    return std::nullopt;
  }
  return CivilMicros(y, mo, d, 0, 0, 0);
}

std::optional<std::int64_t> ParseDayMonthYearMinute(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  int d = 0, y, h, mi;
  std::size_t pos = 0;
  const std::size_t day_digits = s.size() > 1 && s[1] == ' ' ? 1 : 2;
  if (!Digits(s, 0, day_digits, d) || s.size() < day_digits + 5 || s[day_digits] != ' ') {
    return std::nullopt;
  }
  pos = day_digits + 1;
  int mo = 0;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    bool same = true;
    for (std::size_t i = 0; i < 3; ++i) {
      const char c = s[pos + i];
      same = same && (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == kMonths[m][i];
    }
    if (same) mo = static_cast<int>(m) + 1;
  }
  pos += 3;
  if (mo == 0 || pos >= s.size() || s[pos] != ' ' || !Digits(s, pos + 1, 4, y)) return std::nullopt;
  pos += 5;
  if (pos < s.size() && s[pos] == ',') ++pos;
  if (pos >= s.size() || s[pos] != ' ' || !Digits(s, pos + 1, 2, h) || s.size() != pos + 6 ||
      s[pos + 3] != ':' || !Digits(s, pos + 4, 2, mi)) {
    return std::nullopt;
  }
  return CivilMicros(y, mo, d, h, mi, 0);
}

std::optional<EpochNumber> ParseEpochNumber(std::string_view s) {
  if (s.empty() || s.size() > 40) return std::nullopt;
  const std::size_t e = s.find_first_of("eE");
  const std::string_view mantissa = s.substr(0, e);
  int exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp = s.substr(e + 1);
    if (exp.starts_with('+')) exp.remove_prefix(1);
    if (exp.empty() || std::from_chars(exp.data(), exp.data() + exp.size(), exponent).ptr !=
                           exp.data() + exp.size()) {
      return std::nullopt;
    }
  }
  const std::size_t dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  const auto digits = [](std::string_view t) {
    return t.find_first_not_of("0123456789") == std::string_view::npos;
  };
  if (whole.empty() || !digits(whole) || !digits(fraction) ||
      (dot != std::string_view::npos && fraction.empty() && e != std::string_view::npos)) {
    return std::nullopt;
  }
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value) || value >= 9.2e18) {
    return std::nullopt;
  }
  EpochNumber n;
  n.value = std::llround(value);
  n.place = exponent - static_cast<int>(fraction.size());
  n.scientific = e != std::string_view::npos;
  return n;
}

std::optional<std::int64_t> SpotifyOfflineTimestamp(std::int64_t value) {
  if (value <= 0) return std::nullopt;
  return value < 100'000'000'000LL ? EpochSecondsToMicros(value) : EpochMillisToMicros(value);
}

std::int32_t UtcDay(std::int64_t micros) {
  std::int64_t day = micros / kMicrosPerDay;
  if (micros % kMicrosPerDay < 0) --day;
  return static_cast<std::int32_t>(day);
}

}  // namespace playlake::sources
