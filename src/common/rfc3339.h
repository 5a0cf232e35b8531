// RFC 3339 timestamps in UTC, as Playlake writes them everywhere a time is
// shown to a user or stored as text (runs.jsonl, status.json, run_results,
// drift reports, `playlake schedule`): "2026-11-23T13:07:24Z", or with
// microseconds "2026-11-23T13:07:24.123456Z".
//
// Times are floored (never rounded up) to the precision written. Years 0000
// to 9999 have four digits, as RFC 3339 requires; other years are written as
// signed numbers. Pure functions; parsing of input timestamps lives with the
// input formats (sources/timestamp.h).
#pragma once

#include <chrono>
#include <string>

namespace playlake {

enum class SubSeconds {
  kNone,    // "2026-11-23T13:07:24Z"
  kMicros,  // "2026-11-23T13:07:24.123456Z"
};

std::string FormatRfc3339(std::chrono::sys_time<std::chrono::microseconds> t,
                          SubSeconds sub_seconds = SubSeconds::kNone);

// Any other precision (seconds, the system clock's nanoseconds) is floored
// to microseconds first.
template <typename Duration>
std::string FormatRfc3339(std::chrono::sys_time<Duration> t,
                          SubSeconds sub_seconds = SubSeconds::kNone) {
  return FormatRfc3339(std::chrono::floor<std::chrono::microseconds>(t), sub_seconds);
}

}  // namespace playlake
