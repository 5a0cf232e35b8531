// The IANA time zone of a country, for sources that give a country but no
// zone (Spotify exports carry `conn_country`, the country of the connection).
//
// Covers every ISO 3166-1 alpha-2 code (and XK, Kosovo, which Spotify uses).
// A country spanning several UTC offsets gets the zone where most of its
// people live, flagged approximate (US → America/New_York). Pure functions
// over a static table; thread safe.
#pragma once

#include <span>
#include <string_view>

namespace playlake::sources {

struct CountryZone {
  std::string_view country;  // ISO 3166-1 alpha-2
  std::string_view zone;     // IANA name, as DuckDB's ICU knows it
  bool approximate = false;  // the country has several UTC offsets
};

// The zone of `country` (upper case), or nullptr when the code is unknown.
const CountryZone* ZoneOfCountry(std::string_view country);

// The whole table, sorted by country code.
std::span<const CountryZone> AllCountryZones();

}  // namespace playlake::sources
