#include "config/cron.h"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <sstream>
#include <vector>

namespace playlake::config {
namespace {

// 400 Gregorian years, after which dates and weekdays repeat.
constexpr std::chrono::days kCalendarCycle{146097};

using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

struct FieldSpec {
  const char* name;
  int min, max;
  std::array<const char*, 12> names;  // names[i] stands for min + i; empty when none
};

const FieldSpec kSecond{"second", 0, 59, {}};
const FieldSpec kMinute{"minute", 0, 59, {}};
const FieldSpec kHour{"hour", 0, 23, {}};
const FieldSpec kDay{"day of the month", 1, 31, {}};
const FieldSpec kMonth{
    "month",
    1,
    12,
    {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}};
// 7 is Sunday too; it is folded onto 0 after parsing.
const FieldSpec kWeekday{
    "day of the week", 0, 7, {"sun", "mon", "tue", "wed", "thu", "fri", "sat"}};

const std::map<std::string, std::string> kMacros = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"}};

tl::unexpected<Error> Bad(const std::string& expression, const std::string& what) {
  return Fail(ErrorCode::kConfig, fmt::format("cron expression '{}': {}", expression, what));
}

std::optional<int> Value(const std::string& text, const FieldSpec& spec) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec == std::errc() && end == text.data() + text.size()) return value;
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::size_t i = 0; i < spec.names.size() && spec.names[i]; ++i) {
    if (lower == spec.names[i]) return spec.min + static_cast<int>(i);
  }
  return std::nullopt;
}

// Parses one field into the values it allows (indexes into a bitset of max + 1).
Result<std::vector<bool>> ParseField(const std::string& expression, const std::string& field,
                                     const FieldSpec& spec) {
  std::vector<bool> allowed(spec.max + 1, false);
  if (field.back() == ',') {
    return Bad(expression, fmt::format("{} field '{}' ends with a comma", spec.name, field));
  }
  std::stringstream items(field);
  std::string item;
  while (std::getline(items, item, ',')) {
    std::string range = item;
    int step = 1;
    const auto slash = item.find('/');
    if (slash != std::string::npos) {
      range = item.substr(0, slash);
      const auto parsed = Value(item.substr(slash + 1), FieldSpec{spec.name, 0, 0, {}});
      if (!parsed || *parsed < 1) {
        return Bad(expression, fmt::format("{} field '{}': the step must be a positive number",
                                           spec.name, field));
      }
      step = *parsed;
    }
    int low = spec.min, high = spec.max;
    if (range != "*") {
      const auto dash = range.find('-', 1);
      const auto first = Value(range.substr(0, dash), spec);
      const auto last = dash == std::string::npos ? first : Value(range.substr(dash + 1), spec);
      if (!first || !last) {
        return Bad(expression,
                   fmt::format("{} field '{}': '{}' is not a value", spec.name, field, range));
      }
      low = *first;
      // "5/10" means from 5 to the end, every 10, as in Vixie cron.
      high = dash != std::string::npos ? *last : (slash != std::string::npos ? spec.max : *first);
      if (low < spec.min || high > spec.max || low > high) {
        return Bad(expression, fmt::format("{} field '{}': {} is outside {}-{}", spec.name, field,
                                           range, spec.min, spec.max));
      }
    }
    for (int v = low; v <= high; v += step) allowed[v] = true;
  }
  return allowed;
}

template <std::size_t N>
void Copy(const std::vector<bool>& allowed, std::bitset<N>& bits) {
  for (std::size_t i = 0; i < N && i < allowed.size(); ++i) bits[i] = allowed[i];
}

}  // namespace

Result<Cron> Cron::Parse(const std::string& expression) {
  std::string text = expression;
  if (const auto macro = kMacros.find(text); macro != kMacros.end()) text = macro->second;
  if (!text.empty() && text[0] == '@') {
    return Bad(expression,
               "unknown shorthand (known: @yearly, @annually, @monthly, @weekly, "
               "@daily, @midnight, @hourly)");
  }
  std::vector<std::string> fields;
  std::stringstream words(text);
  for (std::string word; words >> word;) fields.push_back(word);
  if (fields.size() == 5) fields.insert(fields.begin(), "0");
  if (fields.size() != 6) {
    return Bad(expression, fmt::format("expected 5 fields (minute hour day month weekday) or 6 "
                                       "(with seconds first), not {}",
                                       fields.size()));
  }
  Cron cron;
  cron.expression_ = expression;
  const FieldSpec* specs[] = {&kSecond, &kMinute, &kHour, &kDay, &kMonth, &kWeekday};
  std::vector<bool> parsed[6];
  for (int i = 0; i < 6; ++i) {
    auto allowed = ParseField(expression, fields[i], *specs[i]);
    if (!allowed) return tl::unexpected(allowed.error());
    parsed[i] = std::move(*allowed);
  }
  if (parsed[5][7]) parsed[5][0] = true;
  Copy(parsed[0], cron.seconds_);
  Copy(parsed[1], cron.minutes_);
  Copy(parsed[2], cron.hours_);
  Copy(parsed[3], cron.days_);
  Copy(parsed[4], cron.months_);
  Copy(parsed[5], cron.weekdays_);
  // Vixie cron's rule: when either day field starts with '*' (also "*/2"),
  // a day must match both; otherwise either.
  cron.any_day_ = fields[3][0] == '*';
  cron.any_weekday_ = fields[5][0] == '*';
  // The Gregorian calendar repeats every 400 years, weekdays included: an
  // expression that finds no time in one whole cycle never fires. One that
  // does may still fire rarely: "29 2 */7" (a February 29th that is a Sunday,
  // both day fields must match) waits 40 years across 2100.
  const TimePoint start = std::chrono::sys_days{std::chrono::year{2096} / 2 / 29};
  if (cron.Next(start) - start >= kCalendarCycle) {
    return Bad(expression, "it names no day that exists (such as February 30th)");
  }
  return cron;
}

bool Cron::DayMatches(std::chrono::year_month_day day) const {
  const bool by_day = days_[static_cast<unsigned>(day.day())];
  const bool by_weekday = weekdays_[std::chrono::weekday(day).c_encoding()];
  if (any_day_ || any_weekday_) return by_day && by_weekday;
  return by_day || by_weekday;
}

Cron::TimePoint Cron::Next(TimePoint after) const {
  const TimePoint limit = after + kCalendarCycle;
  TimePoint t = after + seconds(1);
  while (t < limit) {
    const auto day = std::chrono::floor<days>(t);
    const std::chrono::year_month_day date{day};
    const std::chrono::hh_mm_ss time{t - day};
    if (!months_[static_cast<unsigned>(date.month())]) {
      t = std::chrono::sys_days{(date.year() / date.month() / 1) + std::chrono::months(1)};
    } else if (!DayMatches(date)) {
      t = day + days(1);
    } else if (!hours_[time.hours().count()]) {
      t = day + time.hours() + hours(1);
    } else if (!minutes_[time.minutes().count()]) {
      t = day + time.hours() + time.minutes() + minutes(1);
    } else if (!seconds_[time.seconds().count()]) {
      t += seconds(1);
    } else {
      return t;
    }
  }
  return limit;
}

}  // namespace playlake::config
