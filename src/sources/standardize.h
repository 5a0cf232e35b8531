// Standardised values: device and platform, locations, countries, levels.
//
// Pure functions over static tables; thread safe. Returned string_views point
// to static storage or into the input.
#pragma once

#include <string_view>

namespace playlake::sources {

// Contract enumerations (docs/event-contract.md).
struct DeviceInfo {
  std::string_view device;    // mobile, desktop, web, tablet, tv, car, speaker, console; empty: unknown
  std::string_view platform;  // ios, android, windows, macos, linux, web, ...; empty: unknown
  // False when the input is a value the mapping does not know (drift to
  // report); true for known values, including those that mean "no device".
  bool recognised = true;
};

// A browser user agent, e.g. eventsim's "Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 ...)".
// Browsers on computers are `desktop`, phones `mobile`, iPads and Android
// without "Mobile" `tablet`.
DeviceInfo DeviceFromUserAgent(std::string_view user_agent);

// Spotify's `platform` field across export years: "android", "iOS 15.1 (iPhone12,1)",
// "Android OS 11 API 30 (samsung, SM-G991B)", "windows", "Windows 10 (10.0.19044; x64)",
// "osx", "OS X 10.15.7 [x86 8]", "web_player linux ...", "linux", "Partner ..." (speakers, TVs,
// cars, consoles), "cast", "cast_to_device", TV and console systems ("tizen", "webos", "ps4").
// "not_applicable" is recognised and has no device. A value it does not know
// returns its own text as platform, no device, and recognised = false.
DeviceInfo DeviceFromSpotifyPlatform(std::string_view platform);

// Sparkify's "City-City, ST-ST" (US metro areas): city is the part before the
// last comma, region the state code(s) after it ("NY-NJ-PA").
struct UsLocation {
  std::string_view city;
  std::string_view region;
  std::string_view timezone;  // IANA zone of the first state; empty if unknown
};
bool ParseUsMetroLocation(std::string_view location, UsLocation& out);

// IANA time zone of a US state or DC code ("CA" → "America/Los_Angeles"); the
// zone of most of the state's population. Empty if unknown.
std::string_view UsStateTimezone(std::string_view state);

// True for two upper-case ASCII letters (ISO 3166-1 alpha-2 shape). Spotify's
// "ZZ" (unknown) is not a country.
bool IsCountryCode(std::string_view code);

// "free"/"paid" (any case, "premium" → paid); empty if not a level.
std::string_view NormalizeLevel(std::string_view level);

// True if `device` is one of the contract's device values.
bool IsDevice(std::string_view device);

}  // namespace playlake::sources
