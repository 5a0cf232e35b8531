// The cron expression parser and the next-time search. Input: the expression.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "config/cron.h"
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace playlake;
  using std::chrono::seconds;
  auto cron = config::Cron::Parse(std::string(fuzz::AsText(data, size)));
  if (!cron) {
    if (cron.error().message.empty()) fuzz::Violated("a refused expression without a message");
    return 0;
  }
  // A leap day, the end of a year and an ordinary afternoon.
  for (const std::int64_t start : {1709164800LL, 1798761599LL, 1796484245LL}) {
    const config::Cron::TimePoint after{seconds{start}};
    const config::Cron::TimePoint next = cron->Next(after);
    if (next <= after) fuzz::Violated("Next is not after its argument");
    // 400 Gregorian years are 146,097 days: dates and weekdays repeat after them.
    if (next - after >= std::chrono::days{146097}) fuzz::Violated("Next is not within 400 years");
    // `next` is a time the expression names, so it is also the first one after the second before
    // it.
    if (cron->Next(next - seconds{1}) != next) fuzz::Violated("Next skips a time it names");
  }
  return 0;
}
