// Where simulated listeners live: countries, cities, regions and time zones.
//
// A static, read-only table (38 countries, 2-5 cities each). City weights are
// metro populations in millions times a rough streaming-market penetration, so
// listeners are drawn in proportion to a city's likely audience. Only zones
// whose rules civil_time.h implements exactly appear here.
#pragma once

#include <cstdint>
#include <span>

#include "sim/civil_time.h"

namespace playlake::sim {

struct City {
  const char* country;  // ISO 3166-1 alpha-2
  const char* region;   // ISO 3166-2 subdivision code without the country prefix
  const char* name;     // city name (UTF-8)
  double weight;        // relative share of listeners
  uint8_t zone;         // index into TimeZones()
};

std::span<const TimeZone> TimeZones();
std::span<const City> Cities();
// Number of distinct countries among Cities().
int CountryCount();

}  // namespace playlake::sim
