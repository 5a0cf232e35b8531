#include "common/rfc3339.h"

#include <fmt/format.h>

namespace playlake {

std::string FormatRfc3339(std::chrono::sys_time<std::chrono::microseconds> t,
                          SubSeconds sub_seconds) {
  using namespace std::chrono;
  const sys_days day = floor<days>(t);
  const year_month_day date{day};
  const hh_mm_ss<microseconds> time{t - day};
  const std::string fraction =
      sub_seconds == SubSeconds::kMicros ? fmt::format(".{:06}", time.subseconds().count()) : "";
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}Z", int(date.year()),
                     unsigned(date.month()), unsigned(date.day()), time.hours().count(),
                     time.minutes().count(), time.seconds().count(), fraction);
}

}  // namespace playlake
