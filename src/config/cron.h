// Cron: when a schedule fires, from a cron expression, in UTC.
//
// Five fields, as crontab(5) has them: minute (0-59), hour (0-23), day of the
// month (1-31), month (1-12 or jan-dec) and day of the week (0-7, 0 and 7 are
// Sunday, or sun-sat). A sixth field in front, seconds (0-59), is optional:
// "*/30 * * * * *" fires every thirty seconds. Each field is `*`, a value, a
// range `a-b`, any of these with a step (`*/15`, `8-18/2`), or a comma list of
// them. `@yearly` (`@annually`), `@monthly`, `@weekly`, `@daily` (`@midnight`)
// and `@hourly` stand for their usual five fields. As in Vixie cron, when both
// the day of the month and the day of the week are restricted, a day matches
// when either does ("0 0 1 * mon": the 1st and every Monday).
//
// Thread safety: a Cron is an immutable value.
#pragma once

#include <bitset>
#include <chrono>
#include <string>

#include "common/result.h"

namespace playlake::config {

class Cron {
 public:
  using TimePoint = std::chrono::sys_seconds;

  // Errors: kConfig saying which field is wrong and why; an expression that
  // never fires (e.g. "0 0 30 2 *", February the 30th) is refused too.
  static Result<Cron> Parse(const std::string& expression);

  // The first time after `after` (strictly) that the expression names.
  // REQUIRES: a Cron from Parse (it fires at least once in 400 years, the
  // calendar's cycle; a day that must match both day fields can be decades
  // apart).
  TimePoint Next(TimePoint after) const;

  const std::string& expression() const { return expression_; }

 private:
  bool DayMatches(std::chrono::year_month_day day) const;

  std::string expression_;
  std::bitset<60> seconds_, minutes_;
  std::bitset<24> hours_;
  std::bitset<32> days_;     // 1-31
  std::bitset<13> months_;   // 1-12
  std::bitset<7> weekdays_;  // 0 = Sunday
  bool any_day_ = true;      // the day-of-month field starts with `*`
  bool any_weekday_ = true;  // the day-of-week field starts with `*`
};

}  // namespace playlake::config
