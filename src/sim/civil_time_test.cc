#include "sim/civil_time.h"

#include <gtest/gtest.h>

#include <map>

#include "sim/geo_data.h"
#include "sim/test_support.h"

namespace playlake::sim {
namespace {

TEST(CivilTime, DaysRoundTripAndWeekdays) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(2026, 11, 23), 20780);
  for (int64_t d = 18000; d < 26000; d += 37) {
    const CivilDate c = CivilFromDays(d);
    EXPECT_EQ(DaysFromCivil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(Weekday(DaysFromCivil(2026, 11, 23)), 1);  // a Monday
  EXPECT_EQ(Weekday(DaysFromCivil(2024, 2, 29)), 4);   // a Thursday
}

TEST(CivilTime, FormatsTimestamps) {
  EXPECT_EQ(TimestampString(0 + DaysFromCivil(2026, 11, 1) * kMsPerDay + 18 * kMsPerHour +
                            23 * 60000 + 45123),
            "2026-11-01T18:23:45.123Z");
  TimestampFormatter f;
  char out[24];
  f.Format(DaysFromCivil(2020, 2, 29) * kMsPerDay + kMsPerDay - 1, out);
  EXPECT_EQ(std::string(out, 24), "2020-02-29T23:59:59.999Z");
  f.Format(DaysFromCivil(2020, 3, 1) * kMsPerDay, out);  // the cached prefix must change
  EXPECT_EQ(std::string(out, 24), "2020-03-01T00:00:00.000Z");
}

TEST(CivilTime, ParseDateNamesTheFlagOnBadInput) {
  EXPECT_EQ(*ParseDate("2026-03-02", "--start"), DaysFromCivil(2026, 3, 2));
  for (const char* bad :
       {"2026-02-30", "2026-13-01", "26-03-02", "2019-12-31", "2038-01-01", "2026/03/02", ""}) {
    auto r = ParseDate(bad, "--start");
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("--start"), std::string::npos);
  }
}

// The simulator's local time must be DuckDB's (ICU's) local time, to the
// second, for every zone it writes, over every supported year: compare every
// offset change DuckDB sees (hourly scan 2020-2037) and the instants around it.
TEST(CivilTime, UtcOffsetsMatchDuckDbIcuForEveryZoneAndYear) {
  testing::Duck duck;
  std::string zones = "VALUES ";
  for (const TimeZone& z : TimeZones())
    zones += std::string(zones.size() > 7 ? "," : "") + "('" + z.name + "')";
  const int64_t from = DaysFromCivil(kMinYear, 1, 1) * 86400,
                to = DaysFromCivil(kMaxYear + 1, 1, 1) * 86400;
  const auto changes = duck.Rows(
      "WITH z(name) AS (" + zones +
      "), o AS (SELECT name, s, (epoch(timezone(name, to_timestamp(s))) - s)::BIGINT utc_offset "
      "FROM z, range(" +
      std::to_string(from) + ", " + std::to_string(to) +
      ", 3600) r(s) "
      // Every rule changes from March to April or September to November.
      "WHERE month(to_timestamp(s)) IN (1, 3, 4, 9, 10, 11)), "
      "c AS (SELECT name, s, utc_offset, lag(utc_offset) OVER (PARTITION BY name ORDER BY s) prev "
      "FROM o) "
      "SELECT name, s, utc_offset, prev FROM c WHERE prev IS NULL OR utc_offset <> prev ORDER BY "
      "name, s");
  std::map<std::string, const TimeZone*> by_name;
  for (const TimeZone& z : TimeZones()) by_name[z.name] = &z;
  std::map<std::string, int> transitions;
  for (const auto& row : changes.rows) {
    const TimeZone& zone = *by_name.at(*row[0]);
    const int64_t s = std::stoll(*row[1]);
    const int32_t off = static_cast<int32_t>(std::stoll(*row[2]));
    EXPECT_EQ(UtcOffsetSeconds(zone, s), off) << zone.name << " at " << s;
    if (row[3]) {
      ++transitions[zone.name];
      EXPECT_EQ(UtcOffsetSeconds(zone, s - 1), std::stoll(*row[3]))
          << zone.name << " just before " << s;
    }
  }
  // And no change DuckDB does not know about: count ours on the same grid.
  for (const TimeZone& zone : TimeZones()) {
    int ours = 0;
    for (int64_t s = from + 3600; s < to; s += 3600) {
      ours += UtcOffsetSeconds(zone, s) != UtcOffsetSeconds(zone, s - 3600);
    }
    EXPECT_EQ(ours, transitions[zone.name]) << zone.name;
  }
  EXPECT_EQ(transitions["America/New_York"], 2 * (kMaxYear - kMinYear + 1));
  EXPECT_EQ(transitions["Asia/Tokyo"], 0);
}

TEST(GeoData, CountriesCitiesAndZonesAreComplete) {
  EXPECT_GE(CountryCount(), 30);
  EXPECT_LE(CountryCount(), 40);
  std::map<std::string, int> cities_per_country;
  for (const City& c : Cities()) {
    ++cities_per_country[c.country];
    EXPECT_EQ(std::string(c.country).size(), 2u);
    EXPECT_FALSE(std::string(c.region).empty());
    EXPECT_GT(c.weight, 0);
    ASSERT_LT(c.zone, TimeZones().size());
  }
  for (const auto& [country, n] : cities_per_country) {
    EXPECT_GE(n, 2) << country;
    EXPECT_LE(n, 5) << country;
  }
}

}  // namespace
}  // namespace playlake::sim
