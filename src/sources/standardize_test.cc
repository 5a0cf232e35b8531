#include "sources/standardize.h"

#include <gtest/gtest.h>

namespace playlake::sources {
namespace {

void ExpectDevice(DeviceInfo got, std::string_view device, std::string_view platform) {
  EXPECT_EQ(got.device, device);
  EXPECT_EQ(got.platform, platform);
}

TEST(Standardize, UserAgents) {
  ExpectDevice(DeviceFromUserAgent("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36"),
               "desktop", "macos");
  ExpectDevice(DeviceFromUserAgent("Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101"),
               "desktop", "windows");
  ExpectDevice(DeviceFromUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36"), "desktop",
               "linux");
  ExpectDevice(DeviceFromUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X)"),
               "mobile", "ios");
  ExpectDevice(DeviceFromUserAgent("Mozilla/5.0 (iPad; CPU OS 7_1 like Mac OS X)"), "tablet", "ios");
  ExpectDevice(DeviceFromUserAgent("Mozilla/5.0 (Linux; Android 4.4; Nexus 5) Mobile Safari"),
               "mobile", "android");
  ExpectDevice(DeviceFromUserAgent(""), "", "");
}

TEST(Standardize, SpotifyPlatforms) {
  ExpectDevice(DeviceFromSpotifyPlatform("iOS 15.1 (iPhone12,1)"), "mobile", "ios");
  ExpectDevice(DeviceFromSpotifyPlatform("Android OS 11 API 30 (samsung, SM-G991B)"), "mobile",
               "android");
  ExpectDevice(DeviceFromSpotifyPlatform("android"), "mobile", "android");
  ExpectDevice(DeviceFromSpotifyPlatform("windows"), "desktop", "windows");
  ExpectDevice(DeviceFromSpotifyPlatform("Windows 10 (10.0.19044; x64)"), "desktop", "windows");
  ExpectDevice(DeviceFromSpotifyPlatform("web_player linux ;chrome 96"), "web", "linux");
  ExpectDevice(DeviceFromSpotifyPlatform("osx"), "desktop", "macos");
  ExpectDevice(DeviceFromSpotifyPlatform("OS X 10.15.7 [x86 8]"), "desktop", "macos");
  ExpectDevice(DeviceFromSpotifyPlatform("Partner amazon_salmon Amazon;Echo_Dot"), "speaker",
               "speaker");
  ExpectDevice(DeviceFromSpotifyPlatform("Partner android_tv Sony;BRAVIA"), "tv", "tv");
}

// Values of recent extended exports (2022-2024), as they appear in the files.
TEST(Standardize, SpotifyPlatformsOfRecentExports) {
  ExpectDevice(DeviceFromSpotifyPlatform("Android OS 9 API 28 (samsung, SM-G960F)"), "mobile",
               "android");
  ExpectDevice(DeviceFromSpotifyPlatform("Windows 10 (10.0.19045; x64)"), "desktop", "windows");
  ExpectDevice(DeviceFromSpotifyPlatform("web_player windows 10;chrome 96"), "web", "windows");
  ExpectDevice(DeviceFromSpotifyPlatform("cast"), "speaker", "cast");
  ExpectDevice(DeviceFromSpotifyPlatform("cast_to_device"), "speaker", "cast");
  ExpectDevice(DeviceFromSpotifyPlatform("cast_to_device chromecast_tv"), "tv", "cast");
  ExpectDevice(DeviceFromSpotifyPlatform("tizen"), "tv", "tv");
  ExpectDevice(DeviceFromSpotifyPlatform("ps4"), "console", "console");
  ExpectDevice(DeviceFromSpotifyPlatform("iOS 17.2 (iPad13,1)"), "tablet", "ios");
  const DeviceInfo none = DeviceFromSpotifyPlatform("not_applicable");
  ExpectDevice(none, "", "");
  EXPECT_TRUE(none.recognised);
  EXPECT_TRUE(DeviceFromSpotifyPlatform("cast").recognised);
}

TEST(Standardize, UnknownSpotifyPlatformKeepsItsText) {
  const DeviceInfo unknown = DeviceFromSpotifyPlatform("HoloLens 2 (build 22621)");
  ExpectDevice(unknown, "", "HoloLens 2 (build 22621)");
  EXPECT_FALSE(unknown.recognised);
}

TEST(Standardize, SparkifyLocationsAreUsStates) {
  UsLocation loc;
  ASSERT_TRUE(ParseUsMetroLocation("New York-Newark-Jersey City, NY-NJ-PA", loc));
  EXPECT_EQ(loc.city, "New York-Newark-Jersey City");
  EXPECT_EQ(loc.region, "NY-NJ-PA");
  EXPECT_EQ(loc.timezone, "America/New_York");
  ASSERT_TRUE(ParseUsMetroLocation("San Francisco-Oakland-Hayward, CA", loc));
  EXPECT_EQ(loc.timezone, "America/Los_Angeles");
  ASSERT_TRUE(ParseUsMetroLocation("Phoenix-Mesa-Scottsdale, AZ", loc));
  EXPECT_EQ(loc.timezone, "America/Phoenix");
  EXPECT_FALSE(ParseUsMetroLocation("Nowhere", loc));
}

TEST(Standardize, CountriesAndLevels) {
  EXPECT_TRUE(IsCountryCode("IN"));
  EXPECT_FALSE(IsCountryCode("ZZ"));
  EXPECT_FALSE(IsCountryCode("in"));
  EXPECT_FALSE(IsCountryCode("IND"));
  EXPECT_EQ(NormalizeLevel("Free"), "free");
  EXPECT_EQ(NormalizeLevel("premium"), "paid");
  EXPECT_EQ(NormalizeLevel("gold"), "");
}

}  // namespace
}  // namespace playlake::sources
