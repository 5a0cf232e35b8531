#include "sim/population.h"

#include <algorithm>
#include <cmath>

#include "sim/alias_table.h"
#include "sim/civil_time.h"
#include "sim/genres.h"
#include "sim/geo_data.h"
#include "sim/names.h"
#include "sim/rng.h"

namespace playlake::sim {
namespace {

constexpr uint64_t kPopulationStream = 0x9095;

constexpr const char* kUserAgents[] = {
    "\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36\"",
    "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15\"",
    "Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "\"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.1 Mobile/15E148 Safari/604.1\"",
    "\"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36\"",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
    "\"Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1\"",
    "\"Mozilla/5.0 (SMART-TV; Linux; Tizen 7.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/4.0 Chrome/94.0.4606.31 TV Safari/537.36\"",
};

constexpr DevicePlatform kDevices[] = {
    {"mobile", "android", 30, 4},     {"mobile", "ios", 22, 3},
    {"desktop", "windows", 10, 0},    {"desktop", "macos", 6, 1},
    {"desktop", "linux", 1, 2},       {"web", "web", 7, 5},
    {"tablet", "ios", 3, 6},          {"tablet", "android", 2, 4},
    {"tv", "android_tv", 1.5, 7},     {"tv", "tizen", 1, 7},
    {"tv", "webos", 0.5, 7},          {"car", "android_auto", 1, 4},
    {"car", "carplay", 1.5, 3},       {"speaker", "sonos", 1.5, 5},
    {"speaker", "alexa", 1.5, 5},     {"speaker", "google_cast", 1, 4},
    {"console", "playstation", 1, 7}, {"console", "xbox", 0.5, 0},
};

// Plan changes per day, chosen so a few weeks show both directions.
constexpr double kUpgradesPerDay = 0.006;
constexpr double kDowngradesPerDay = 0.003;

}  // namespace

std::span<const DevicePlatform> DevicePlatforms() { return kDevices; }
std::span<const char* const> UserAgents() { return kUserAgents; }

Population Population::Build(const PopulationOptions& options) {
  Population population;
  Rng rng(MixKeys(options.seed, kPopulationStream));
  std::vector<double> weights;
  for (const auto& c : Cities()) weights.push_back(c.weight);
  const AliasTable cities(weights);
  weights.clear();
  for (const auto& d : kDevices) weights.push_back(d.share);
  const AliasTable devices(weights);
  weights.clear();
  for (const auto& g : Genres()) weights.push_back(g.market_share);
  const AliasTable genres(weights);

  const double range_ms = static_cast<double>(options.end_ms - options.start_ms);
  const double range_days = range_ms / kMsPerDay;
  const double churn_share = 1.0 - std::exp(-range_days / 200.0);
  population.users_.reserve(options.users);
  for (uint32_t i = 0; i < options.users; ++i) {
    User u{};
    u.id = std::to_string(i + 1);
    u.gender = rng.Chance(0.5) ? 'F' : 'M';
    u.first_name = PersonFirstName(rng, u.gender == 'F');
    u.last_name = PersonLastName(rng);
    u.city = static_cast<uint16_t>(cities.Sample(rng));
    u.device = static_cast<uint8_t>(devices.Sample(rng));
    // The second device is usually a computer or the web player.
    u.second_device =
        static_cast<uint8_t>(rng.Chance(0.6) ? 2 + rng.Below(4) : devices.Sample(rng));
    // Growth: 85% joined before the range; the rest join during it, at a rate
    // that rises through the range (density proportional to 1 + x).
    if (rng.Chance(0.85)) {
      u.registration_ms =
          options.start_ms -
          static_cast<int64_t>(std::min(5 * 365.0, rng.Exponential(400)) * kMsPerDay) -
          static_cast<int64_t>(rng.Below64(kMsPerDay));
    } else {
      const double x = std::sqrt(1.0 + 3.0 * rng.Uniform()) - 1.0;  // inverse CDF of (1 + x)
      u.registration_ms = options.start_ms + static_cast<int64_t>(x * range_ms);
    }
    u.initial_level = rng.Chance(0.4) ? Level::kPaid : Level::kFree;
    const int64_t from = std::max(u.registration_ms, options.start_ms);
    u.churn_ms = INT64_MAX;
    if (rng.Chance(churn_share) && from < options.end_ms) {
      u.churn_ms =
          from + static_cast<int64_t>(rng.Uniform() * static_cast<double>(options.end_ms - from));
    }
    // Level changes inside the range, as a two-state Markov process.
    Level level = u.initial_level;
    double t = static_cast<double>(from);
    const double stop = static_cast<double>(std::min(options.end_ms, u.churn_ms));
    while (u.level_changes < kMaxLevelChanges) {
      const double per_day = level == Level::kFree ? kUpgradesPerDay : kDowngradesPerDay;
      t += rng.Exponential(1.0 / per_day) * kMsPerDay;
      if (t >= stop) break;
      u.change_ms[u.level_changes++] = static_cast<int64_t>(t);
      level = level == Level::kFree ? Level::kPaid : Level::kFree;
    }
    // Log-normal activity with mean 15 plays a day.
    u.plays_per_day = 15.0 * std::exp(rng.Normal(0, 0.8) - 0.32);
    u.favorite_genres[0] = static_cast<uint8_t>(genres.Sample(rng));
    for (int k = 1; k < kFavoriteGenres; ++k) {
      uint8_t g;
      do {
        g = static_cast<uint8_t>(genres.Sample(rng));
      } while (std::find(u.favorite_genres, u.favorite_genres + k, g) != u.favorite_genres + k);
      u.favorite_genres[k] = g;
    }
    u.skip_trait = std::exp(rng.Normal(0, 0.3));
    population.users_.push_back(std::move(u));
  }
  return population;
}

}  // namespace playlake::sim
