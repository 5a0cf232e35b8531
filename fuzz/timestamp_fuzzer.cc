// The timestamp parsers of every input format. Input: the text to parse; its
// first eight bytes are also read as an epoch integer (Spotify's
// offline_timestamp, UtcDay).
#include <fmt/format.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "common/rfc3339.h"
#include "fuzz_input.h"
#include "sources/timestamp.h"

namespace {

using namespace playlake;

// `micros` as RFC 3339 with microseconds and Z.
std::string FormatUtc(std::int64_t micros) {
  return FormatRfc3339(
      std::chrono::sys_time<std::chrono::microseconds>{std::chrono::microseconds{micros}},
      SubSeconds::kMicros);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = fuzz::AsText(data, size);
  if (auto micros = sources::ParseRfc3339(text)) {
    // Every accepted time is a real instant that reads back the same.
    const std::int64_t day = sources::UtcDay(*micros);
    if (day < -800'000 || day > 3'700'000)
      fuzz::Violated("RFC 3339 time outside years 0-9999 +- a day");
    if (day >= 0 && day < 2'900'000 && sources::ParseRfc3339(FormatUtc(*micros)) != *micros) {
      fuzz::Violated("an RFC 3339 time does not read back the same");
    }
  }
  if (auto micros = sources::ParseMinuteUtc(text)) {
    if (*micros % (60 * sources::kMicrosPerSecond) != 0)
      fuzz::Violated("a minute time with seconds");
  }
  if (auto micros = sources::ParseDate(text)) {
    if (*micros % sources::kMicrosPerDay != 0) fuzz::Violated("a date that is not midnight");
    if (static_cast<std::int64_t>(sources::UtcDay(*micros)) * sources::kMicrosPerDay != *micros) {
      fuzz::Violated("UtcDay of a date is not that date");
    }
  }
  if (size >= sizeof(std::int64_t)) {
    std::int64_t value;
    std::memcpy(&value, data, sizeof value);
    if (auto micros = sources::SpotifyOfflineTimestamp(value)) {
      if (*micros <= 0) fuzz::Violated("an offline timestamp at or before 1970");
    }
    const std::int64_t day = sources::UtcDay(value);
    const __int128 start = static_cast<__int128>(day) * sources::kMicrosPerDay;
    if (start > value || start + sources::kMicrosPerDay <= value)
      fuzz::Violated("UtcDay is not the floor");
  }
  return 0;
}
