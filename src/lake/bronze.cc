#include "lake/bronze.h"

#include <fmt/format.h>

namespace playlake::lake {
namespace {

struct UtcParts {
  int year, month, day, hour;
};

UtcParts Split(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  const auto days = floor<std::chrono::days>(t);
  const year_month_day ymd{days};
  const auto hour = duration_cast<hours>(t - days).count();
  return {int(ymd.year()), int(unsigned(ymd.month())), int(unsigned(ymd.day())), int(hour)};
}

}  // namespace

std::string UtcDate(std::chrono::system_clock::time_point t) {
  const UtcParts p = Split(t);
  return fmt::format("{:04d}-{:02d}-{:02d}", p.year, p.month, p.day);
}

std::string BronzeKey(const std::string& source, const std::string& entity,
                      std::chrono::system_clock::time_point ingest_time,
                      const std::string& batch_id, const std::string& nonce,
                      const std::string& ext) {
  const UtcParts p = Split(ingest_time);
  return fmt::format("bronze/{}/{}/ingest_date={:04d}-{:02d}-{:02d}/hour={:02d}/{}.{}.{}.zst",
                     source, entity, p.year, p.month, p.day, p.hour, batch_id, nonce, ext);
}

}  // namespace playlake::lake
