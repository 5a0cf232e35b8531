#include "sim/world.h"

#include <algorithm>

#include "sim/civil_time.h"
#include "sim/genres.h"
#include "sim/geo_data.h"

namespace playlake::sim {
namespace {

// Share of a day's listening per local hour (percent), weekdays and weekends:
// a commute bump, a lunch plateau, the evening peak and the night trough.
constexpr double kWeekday[24] = {2.2, 1.3, 0.7, 0.45, 0.4, 0.6, 1.5, 3.2, 4.6, 4.6, 4.3, 4.4,
                                 4.9, 4.8, 4.6, 4.8,  5.4, 6.3, 6.8, 7.2, 7.4, 7.0, 5.6, 3.8};
constexpr double kWeekend[24] = {3.6, 2.6, 1.5, 0.8, 0.5, 0.5, 0.7, 1.2, 2.2, 3.4, 4.5, 5.2,
                                 5.5, 5.5, 5.4, 5.4, 5.6, 5.9, 6.3, 6.7, 7.0, 6.8, 5.8, 4.5};
// Sunday .. Saturday.
constexpr double kDayFactor[7] = {0.90, 1.0, 1.0, 1.0, 1.02, 1.08, 0.95};

}  // namespace

double LocalHourWeight(int weekday, int hour) {
  const bool weekend = weekday == 0 || weekday == 6;
  return (weekend ? kWeekend[hour] : kWeekday[hour]) / 100.0 * kDayFactor[weekday];
}

std::unique_ptr<World> World::Build(const WorldOptions& options) {
  auto world = std::unique_ptr<World>(new World());
  world->options_ = options;
  const uint32_t tracks =
      options.tracks != 0 ? options.tracks : std::clamp<uint32_t>(options.users * 4, 2000, 200000);
  world->catalog_ = Catalog::Build({options.seed, tracks, options.start_day, options.end_day});
  world->population_ =
      Population::Build({options.seed, options.users, world->start_ms(), world->end_ms()});

  const auto& users = world->population_.users();
  const auto cities = Cities();
  const int zones = static_cast<int>(TimeZones().size());
  const int64_t days = options.end_day - options.start_day + 1;
  world->user_zone_.resize(users.size());
  // Difference arrays: +activity on the first active day, -activity after the last.
  std::vector<double> diff(static_cast<size_t>((days + 1) * zones), 0.0);
  for (uint32_t i = 0; i < users.size(); ++i) {
    const User& u = users[i];
    const int zone = cities[u.city].zone;
    world->user_zone_[i] = static_cast<uint8_t>(zone);
    const int64_t first =
        std::max<int64_t>(0, FloorDiv(u.registration_ms, kMsPerDay) - options.start_day);
    const int64_t last =
        u.churn_ms == INT64_MAX
            ? days - 1
            : std::min<int64_t>(days - 1, FloorDiv(u.churn_ms - 1, kMsPerDay) - options.start_day);
    if (first > last) continue;
    diff[static_cast<size_t>(first * zones + zone)] += u.plays_per_day;
    diff[static_cast<size_t>((last + 1) * zones + zone)] -= u.plays_per_day;
    for (int k = 0; k < u.level_changes; ++k) world->level_changes_.push_back({u.change_ms[k], i});
    if (u.churn_ms != INT64_MAX) world->churns_.push_back({u.churn_ms, i});
  }
  world->zone_activity_.assign(static_cast<size_t>(days * zones), 0.0);
  for (int z = 0; z < zones; ++z) {
    double running = 0;
    for (int64_t d = 0; d < days; ++d) {
      running += diff[static_cast<size_t>(d * zones + z)];
      world->zone_activity_[static_cast<size_t>(d * zones + z)] = std::max(0.0, running);
    }
  }
  auto by_time = [](const UserMoment& a, const UserMoment& b) {
    return a.ms != b.ms ? a.ms < b.ms : a.user < b.user;
  };
  std::sort(world->level_changes_.begin(), world->level_changes_.end(), by_time);
  std::sort(world->churns_.begin(), world->churns_.end(), by_time);
  return world;
}

double World::ZoneActivity(int64_t day, int zone) const {
  const int zones = static_cast<int>(TimeZones().size());
  const int64_t d = day - options_.start_day;
  if (d < 0 || d > options_.end_day - options_.start_day) return 0;
  return zone_activity_[static_cast<size_t>(d * zones + zone)];
}

DayView::DayView(const World& world, int64_t the_day) : day(the_day) {
  const auto& users = world.population().users();
  const int zones = static_cast<int>(TimeZones().size());
  const int64_t day_start = day * kMsPerDay, day_end = day_start + kMsPerDay;
  zone_users.resize(static_cast<size_t>(zones));
  std::vector<std::vector<double>> weights(static_cast<size_t>(zones));
  for (uint32_t i = 0; i < users.size(); ++i) {
    const User& u = users[i];
    if (u.registration_ms >= day_end || u.churn_ms <= day_start) continue;
    const uint8_t z = world.UserZone(i);
    zone_users[z].push_back(i);
    weights[z].push_back(u.plays_per_day);
  }
  for (int z = 0; z < zones; ++z) zone_user_table.emplace_back(weights[static_cast<size_t>(z)]);

  const auto genres = Genres();
  const auto& tracks = world.catalog().tracks();
  genre_tracks.resize(genres.size());
  std::vector<std::vector<double>> track_weights(genres.size());
  std::vector<double> genre_weights(genres.size(), 0.0);
  for (uint32_t t = 0; t < tracks.size(); ++t) {
    const double w = Catalog::PopularityOn(tracks[t], day);
    if (w <= 0) continue;
    genre_tracks[tracks[t].genre].push_back({t, tracks[t].duration_ms});
    track_weights[tracks[t].genre].push_back(w);
  }
  for (size_t g = 0; g < genres.size(); ++g) {
    genre_track_table.emplace_back(track_weights[g]);
    genre_weights[g] = genre_tracks[g].empty() ? 0.0 : genres[g].market_share;
  }
  genre_table = AliasTable(genre_weights);
}

}  // namespace playlake::sim
