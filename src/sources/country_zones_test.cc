#include "sources/country_zones.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <string>

namespace playlake::sources {
namespace {

TEST(CountryZones, EveryIsoCountryHasAZone) {
  // Debian's tzdata lists the ISO 3166-1 codes; the table must cover them all.
  std::ifstream iso("/usr/share/zoneinfo/iso3166.tab");
  ASSERT_TRUE(iso) << "tzdata's iso3166.tab is needed for this test";
  std::string line;
  int countries = 0;
  while (std::getline(iso, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::string code = line.substr(0, 2);
    ++countries;
    EXPECT_NE(ZoneOfCountry(code), nullptr) << code;
  }
  EXPECT_EQ(countries, 249);
}

TEST(CountryZones, SeveralOffsetsMeanTheMostPopulousZoneFlaggedApproximate) {
  const CountryZone* us = ZoneOfCountry("US");
  ASSERT_NE(us, nullptr);
  EXPECT_EQ(us->zone, "America/New_York");
  EXPECT_TRUE(us->approximate);
  EXPECT_EQ(ZoneOfCountry("BR")->zone, "America/Sao_Paulo");
  EXPECT_EQ(ZoneOfCountry("RU")->zone, "Europe/Moscow");
  const CountryZone* india = ZoneOfCountry("IN");
  EXPECT_EQ(india->zone, "Asia/Kolkata");
  EXPECT_FALSE(india->approximate);
  EXPECT_EQ(ZoneOfCountry("ZZ"), nullptr);
  EXPECT_EQ(ZoneOfCountry("in"), nullptr);  // codes are upper case
}

TEST(CountryZones, TableIsSortedAndUnique) {
  std::set<std::string_view> seen;
  std::string_view last;
  for (const CountryZone& z : AllCountryZones()) {
    EXPECT_LT(last, z.country);
    EXPECT_TRUE(seen.insert(z.country).second) << z.country;
    last = z.country;
  }
}

}  // namespace
}  // namespace playlake::sources
