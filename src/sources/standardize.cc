#include "sources/standardize.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <utility>

namespace playlake::sources {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

// Case-insensitive ASCII prefix test.
bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char a = text[i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != prefix[i]) return false;
  }
  return true;
}

bool ContainsNoCase(std::string_view text, std::string_view needle) {
  for (std::size_t i = 0; i + needle.size() <= text.size(); ++i) {
    if (StartsWithNoCase(text.substr(i), needle)) return true;
  }
  return false;
}

constexpr std::array<std::pair<std::string_view, std::string_view>, 51> kStateZones{{
    {"AK", "America/Anchorage"},   {"AL", "America/Chicago"},    {"AR", "America/Chicago"},
    {"AZ", "America/Phoenix"},     {"CA", "America/Los_Angeles"}, {"CO", "America/Denver"},
    {"CT", "America/New_York"},    {"DC", "America/New_York"},   {"DE", "America/New_York"},
    {"FL", "America/New_York"},    {"GA", "America/New_York"},   {"HI", "Pacific/Honolulu"},
    {"IA", "America/Chicago"},     {"ID", "America/Boise"},      {"IL", "America/Chicago"},
    {"IN", "America/Indiana/Indianapolis"}, {"KS", "America/Chicago"}, {"KY", "America/New_York"},
    {"LA", "America/Chicago"},     {"MA", "America/New_York"},   {"MD", "America/New_York"},
    {"ME", "America/New_York"},    {"MI", "America/Detroit"},    {"MN", "America/Chicago"},
    {"MO", "America/Chicago"},     {"MS", "America/Chicago"},    {"MT", "America/Denver"},
    {"NC", "America/New_York"},    {"ND", "America/Chicago"},    {"NE", "America/Chicago"},
    {"NH", "America/New_York"},    {"NJ", "America/New_York"},   {"NM", "America/Denver"},
    {"NV", "America/Los_Angeles"}, {"NY", "America/New_York"},   {"OH", "America/New_York"},
    {"OK", "America/Chicago"},     {"OR", "America/Los_Angeles"}, {"PA", "America/New_York"},
    {"RI", "America/New_York"},    {"SC", "America/New_York"},   {"SD", "America/Chicago"},
    {"TN", "America/Chicago"},     {"TX", "America/Chicago"},    {"UT", "America/Denver"},
    {"VA", "America/New_York"},    {"VT", "America/New_York"},   {"WA", "America/Los_Angeles"},
    {"WI", "America/Chicago"},     {"WV", "America/New_York"},   {"WY", "America/Denver"},
}};

}  // namespace

DeviceInfo DeviceFromUserAgent(std::string_view ua) {
  if (ua.empty()) return {};
  if (Contains(ua, "iPad")) return {"tablet", "ios"};
  if (Contains(ua, "iPhone") || Contains(ua, "iPod")) return {"mobile", "ios"};
  if (Contains(ua, "Android")) return {Contains(ua, "Mobile") ? "mobile" : "tablet", "android"};
  if (Contains(ua, "Windows Phone")) return {"mobile", "windows"};
  if (Contains(ua, "Windows")) return {"desktop", "windows"};
  if (Contains(ua, "Macintosh") || Contains(ua, "Mac OS X")) return {"desktop", "macos"};
  if (Contains(ua, "CrOS")) return {"desktop", "chromeos"};
  if (Contains(ua, "Linux") || Contains(ua, "X11")) return {"desktop", "linux"};
  return {};
}

namespace {

bool ContainsAnyNoCase(std::string_view text, std::initializer_list<std::string_view> needles) {
  return std::any_of(needles.begin(), needles.end(),
                     [&](std::string_view n) { return ContainsNoCase(text, n); });
}

// The device class named inside a partner or cast value ("Partner android_tv
// Sony;BRAVIA", "cast_to_device chromecast_tv"); `fallback` when none is.
std::string_view DeviceInside(std::string_view p, std::string_view fallback) {
  if (ContainsAnyNoCase(p, {"playstation", "xbox", "ps4", "ps5", "nintendo"})) return "console";
  if (ContainsAnyNoCase(p, {"tv", "roku", "tizen", "webos", "chromecast"})) return "tv";
  if (ContainsAnyNoCase(p, {"auto", "car", "tesla"})) return "car";
  return fallback;
}

}  // namespace

DeviceInfo DeviceFromSpotifyPlatform(std::string_view p) {
  if (p.empty()) return {};
  if (StartsWithNoCase(p, "not_applicable")) return {};  // Spotify's own "no device"
  if (StartsWithNoCase(p, "web_player") || StartsWithNoCase(p, "webplayer")) {
    if (ContainsNoCase(p, "windows")) return {"web", "windows"};
    if (ContainsAnyNoCase(p, {"os x", "osx", "mac"})) return {"web", "macos"};
    if (ContainsNoCase(p, "linux")) return {"web", "linux"};
    return {"web", "web"};
  }
  if (StartsWithNoCase(p, "cast")) return {DeviceInside(p, "speaker"), "cast"};
  if (StartsWithNoCase(p, "partner")) {
    const std::string_view device = DeviceInside(p, "speaker");
    return {device, device};
  }
  if (ContainsAnyNoCase(p, {"playstation", "xbox", "ps4", "ps5"})) return {"console", "console"};
  if (ContainsAnyNoCase(p, {"tizen", "webos", "roku", "tvos", "android_tv", "fire_tv"})) {
    return {"tv", "tv"};
  }
  if (ContainsAnyNoCase(p, {"sonos", "echo", "alexa", "google_home", "bose"})) {
    return {"speaker", "speaker"};
  }
  if (ContainsAnyNoCase(p, {"carplay", "android_auto"})) return {"car", "car"};
  if (StartsWithNoCase(p, "ios") || ContainsAnyNoCase(p, {"iphone", "ipad", "ipod"})) {
    return {ContainsNoCase(p, "ipad") ? "tablet" : "mobile", "ios"};
  }
  if (StartsWithNoCase(p, "android")) return {ContainsNoCase(p, "tv") ? "tv" : "mobile", "android"};
  if (StartsWithNoCase(p, "windows phone")) return {"mobile", "windows"};
  if (StartsWithNoCase(p, "windows")) return {"desktop", "windows"};
  if (StartsWithNoCase(p, "osx") || StartsWithNoCase(p, "os x") || StartsWithNoCase(p, "macos") ||
      StartsWithNoCase(p, "mac os")) {
    return {"desktop", "macos"};
  }
  if (StartsWithNoCase(p, "chromeos") || StartsWithNoCase(p, "chrome os")) {
    return {"desktop", "chromeos"};
  }
  if (StartsWithNoCase(p, "linux")) return {"desktop", "linux"};
  return {{}, p, false};
}

bool ParseUsMetroLocation(std::string_view location, UsLocation& out) {
  const std::size_t comma = location.rfind(',');
  if (comma == std::string_view::npos) return false;
  std::string_view city = location.substr(0, comma);
  std::string_view region = location.substr(comma + 1);
  while (!region.empty() && region.front() == ' ') region.remove_prefix(1);
  while (!city.empty() && city.back() == ' ') city.remove_suffix(1);
  if (city.empty() || region.size() < 2) return false;
  out.city = city;
  out.region = region;
  out.timezone = UsStateTimezone(region.substr(0, 2));
  return !out.timezone.empty();
}

std::string_view UsStateTimezone(std::string_view state) {
  const auto it = std::find_if(kStateZones.begin(), kStateZones.end(),
                               [&](const auto& entry) { return entry.first == state; });
  return it == kStateZones.end() ? std::string_view() : it->second;
}

bool IsCountryCode(std::string_view code) {
  return code.size() == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' &&
         code[1] <= 'Z' && code != "ZZ";
}

std::string_view NormalizeLevel(std::string_view level) {
  if (StartsWithNoCase(level, "free") && level.size() == 4) return "free";
  if ((StartsWithNoCase(level, "paid") && level.size() == 4) ||
      (StartsWithNoCase(level, "premium") && level.size() == 7)) {
    return "paid";
  }
  return {};
}

bool IsDevice(std::string_view d) {
  static constexpr std::string_view kDevices[] = {"mobile", "desktop", "web",     "tablet",
                                                  "tv",     "car",     "speaker", "console"};
  return std::find(std::begin(kDevices), std::end(kDevices), d) != std::end(kDevices);
}

}  // namespace playlake::sources
