// World: everything the simulation needs that does not change with time of
// day — the catalog, the population, and indexes derived from them — plus
// the per-day and per-hour views (DayView, ZoneWeights) built from it.
//
// All of it is a pure function of (seed, options). Thread safety: World and
// DayView are immutable after construction and shared by worker threads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/alias_table.h"
#include "sim/catalog.h"
#include "sim/population.h"

namespace playlake::sim {

struct WorldOptions {
  uint64_t seed = 1;
  uint32_t users = 1000;
  uint32_t tracks = 0;  // 0: chosen from users
  int64_t start_day = 0;
  int64_t end_day = 0;  // inclusive
};

// Relative listening intensity at a local hour, by weekday (0 = Sunday).
// Includes the day-of-week factor, so it can be summed across days.
double LocalHourWeight(int weekday, int hour);

class World {
 public:
  static std::unique_ptr<World> Build(const WorldOptions& options);

  const WorldOptions& options() const { return options_; }
  const Catalog& catalog() const { return catalog_; }
  const Population& population() const { return population_; }
  int64_t start_ms() const { return options_.start_day * 86'400'000; }
  int64_t end_ms() const { return (options_.end_day + 1) * 86'400'000; }
  // Zone (index into TimeZones()) of each user.
  uint8_t UserZone(uint32_t user) const { return user_zone_[user]; }
  // Sum of plays_per_day of the users in each zone active on each day,
  // indexed [day - start_day][zone].
  double ZoneActivity(int64_t day, int zone) const;
  // Level changes and churns inside the range, sorted by time (for eventsim's
  // Upgrade/Downgrade/Cancel pages).
  struct UserMoment {
    int64_t ms;
    uint32_t user;
  };
  const std::vector<UserMoment>& level_changes() const { return level_changes_; }
  const std::vector<UserMoment>& churns() const { return churns_; }

 private:
  WorldOptions options_;
  Catalog catalog_;
  Population population_;
  std::vector<uint8_t> user_zone_;
  std::vector<double> zone_activity_;  // days x zones
  std::vector<UserMoment> level_changes_;
  std::vector<UserMoment> churns_;
};

// What changes once a day: who can listen, and how popular each track is.
struct DayView {
  DayView(const World& world, int64_t day);

  int64_t day;
  // Per zone: candidate users (active at some point of the day) and an alias
  // table over them weighted by activity.
  std::vector<std::vector<uint32_t>> zone_users;
  std::vector<AliasTable> zone_user_table;
  // Per genre: released tracks and an alias table by today's popularity.
  // The duration sits beside the index so a play touches one cache line
  // instead of the (large) Track record.
  struct TrackRef {
    uint32_t track;
    uint32_t duration_ms;
  };
  std::vector<std::vector<TrackRef>> genre_tracks;
  std::vector<AliasTable> genre_track_table;
  AliasTable genre_table;  // global taste, for exploration plays
};

}  // namespace playlake::sim
