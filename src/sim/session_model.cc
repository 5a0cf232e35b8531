#include "sim/session_model.h"

#include <algorithm>
#include <cmath>

#include "sim/civil_time.h"
#include "sim/genres.h"
#include "sim/geo_data.h"
#include "sim/rng.h"

namespace playlake::sim {
namespace {

constexpr uint64_t kPlayStream = 0x5E55;
constexpr uint64_t kPageStream = 0xBA6E;
constexpr double kMeanPlaysPerSession = 9.0;
// Session numbers from here on are the short account sessions (upgrade,
// downgrade, cancel) of eventsim output; listening sessions stay below.
constexpr uint32_t kAccountSessionBase = 1u << 23;

// Weight of a zone's listeners during the UTC hour starting at hour_ms.
double ZoneHourWeight(const TimeZone& zone, int64_t hour_ms) {
  const int64_t mid_s = hour_ms / 1000 + 1800;
  const int64_t local_s = mid_s + UtcOffsetSeconds(zone, mid_s);
  const int64_t local_day = FloorDiv(local_s, 86400);
  const int hour = static_cast<int>((local_s - local_day * 86400) / 3600);
  return LocalHourWeight(Weekday(local_day), hour);
}

uint32_t FindActiveUser(const DayView& day, const std::vector<User>& users, int64_t t) {
  for (const auto& zone : day.zone_users) {
    for (uint32_t u : zone) {
      if (users[u].ActiveAt(t)) return u;
    }
  }
  return UINT32_MAX;
}

bool IsDevice(const char* device, const char* name) {
  return device[0] == name[0] && device[1] == name[1];
}

}  // namespace

std::vector<Slice> PlanSlices(const World& world, uint64_t total_plays) {
  const auto zones = TimeZones();
  std::vector<Slice> slices;
  std::vector<double> expected;
  for (int64_t day = world.options().start_day; day <= world.options().end_day; ++day) {
    for (int h = 0; h < 24; ++h) {
      const int64_t start = day * kMsPerDay + h * kMsPerHour;
      double e = 0;
      for (size_t z = 0; z < zones.size(); ++z) {
        e += world.ZoneActivity(day, static_cast<int>(z)) * ZoneHourWeight(zones[z], start);
      }
      slices.push_back({start, 0});
      expected.push_back(e);
    }
  }
  double total = 0;
  for (double e : expected) total += e;
  if (!(total > 0)) return slices;  // nobody is active: every quota stays 0
  // Cumulative rounding: quotas sum exactly to the target.
  const uint64_t target =
      total_plays != 0 ? total_plays : static_cast<uint64_t>(std::llround(total));
  double cumulative = 0;
  uint64_t assigned = 0;
  for (size_t i = 0; i < slices.size(); ++i) {
    cumulative += expected[i];
    const uint64_t upto =
        i + 1 == slices.size()
            ? target
            : std::min(target, static_cast<uint64_t>(
                                   std::floor(static_cast<double>(target) * cumulative / total)));
    slices[i].quota = upto > assigned ? upto - assigned : 0;
    assigned += slices[i].quota;
  }
  return slices;
}

double NaturalPlaysPerDay(const World& world, int64_t day) {
  double total = 0;
  for (size_t z = 0; z < TimeZones().size(); ++z)
    total += world.ZoneActivity(day, static_cast<int>(z));
  return total;
}

struct SliceGenerator::SessionState {
  uint32_t user;
  uint32_t session;
  uint16_t item;
  uint8_t device;
};

SliceGenerator::SliceGenerator(const World& world, bool page_views)
    : world_(world), page_views_(page_views), zone_weights_(TimeZones().size()) {}

void SliceGenerator::Generate(const DayView& day, const Slice& slice, std::vector<SimEvent>& out) {
  const size_t first_event = out.size();
  const auto zones = TimeZones();
  const auto devices = DevicePlatforms();
  const auto& users = world_.population().users();
  const uint64_t hour = static_cast<uint64_t>(slice.start_ms / kMsPerHour);
  const uint64_t seed = world_.options().seed;
  Rng rng(MixKeys(seed, kPlayStream, hour));
  Rng page_rng(MixKeys(seed, kPageStream, hour));

  for (size_t z = 0; z < zones.size(); ++z) {
    zone_weights_[z] = day.zone_user_table[z].empty()
                           ? 0.0
                           : world_.ZoneActivity(day.day, static_cast<int>(z)) *
                                 ZoneHourWeight(zones[z], slice.start_ms);
  }
  const AliasTable zone_table(zone_weights_);
  const int64_t range_end = world_.end_ms();
  if (zone_table.empty()) return;

  uint64_t produced = 0;
  uint32_t session = 0;
  int misses = 0;
  while (produced < slice.quota) {
    const uint32_t zone = zone_table.Sample(rng);
    uint32_t user_index = day.zone_users[zone][day.zone_user_table[zone].Sample(rng)];
    const int64_t t0 = slice.start_ms + static_cast<int64_t>(rng.Below64(kMsPerHour));
    if (!users[user_index].ActiveAt(t0)) {
      // Joined later today or left earlier: pick someone else. After many
      // misses (an hour where almost nobody is active) search exhaustively,
      // and give up on the hour only if nobody at all can listen.
      if (++misses < 64) continue;
      const uint32_t found = FindActiveUser(day, users, t0);
      if (found == UINT32_MAX) break;
      user_index = found;
    }
    const User& user = users[user_index];
    int64_t t = t0;
    misses = 0;
    const uint64_t remaining = slice.quota - produced;
    uint64_t plays = 1 + std::min<uint64_t>(199, rng.Geometric(1.0 / kMeanPlaysPerSession));
    plays = std::min(plays, remaining);
    SessionState s{user_index, session++, 0, rng.Chance(0.8) ? user.device : user.second_device};
    const char* device_name = devices[s.device].device;
    uint8_t base_flags = 0;
    if (rng.Chance(0.45)) base_flags |= kFlagShuffle;
    if ((IsDevice(device_name, "mobile") || IsDevice(device_name, "car")) && rng.Chance(0.06)) {
      base_flags |= kFlagOffline;
    }
    const bool paid = user.LevelAt(t) == Level::kPaid;
    if (paid) base_flags |= kFlagPaid;
    const bool remote_device = IsDevice(device_name, "speaker") || IsDevice(device_name, "tv");
    uint8_t reason_start = remote_device && rng.Chance(0.5) ? kStartRemote
                           : rng.Chance(0.45)               ? kStartAppLoad
                           : rng.Chance(0.6)                ? kStartClickRow
                                                            : kStartPlayBtn;

    if (page_views_) {
      // Some sessions begin logged out (eventsim: userId "" until Login).
      if (page_rng.Chance(0.08)) {
        out.push_back({std::max(slice.start_ms, t - 40000), user_index, 0, 0, s.session, s.item++,
                       Page::kHome, base_flags, 0, 0, s.device, Auth::kLoggedOut});
        out.push_back({std::max(slice.start_ms, t - 20000), user_index, 0, 0, s.session, s.item++,
                       Page::kLogin, base_flags, 0, 0, s.device, Auth::kLoggedOut});
      }
      if (page_rng.Chance(0.75)) {
        out.push_back({std::max(slice.start_ms, t - 5000), user_index, 0, 0, s.session, s.item++,
                       Page::kHome, base_flags, 0, 0, s.device, Auth::kLoggedIn});
      }
    }

    // Nothing is played after the range ends (the quota is met by other
    // sessions instead), so no output falls outside --start/--end.
    uint64_t played = 0;
    for (uint64_t i = 0; i < plays && t < range_end; ++i, ++played) {
      // Taste: mostly the three favourite genres, sometimes exploration.
      const double r = rng.Uniform();
      uint8_t genre;
      double fit;
      if (r < 0.47) {
        genre = user.favorite_genres[0], fit = 1.0;
      } else if (r < 0.70) {
        genre = user.favorite_genres[1], fit = 0.6;
      } else if (r < 0.85) {
        genre = user.favorite_genres[2], fit = 0.4;
      } else {
        genre = static_cast<uint8_t>(day.genre_table.Sample(rng));
        fit = genre == user.favorite_genres[0] ? 1.0 : 0.05;
      }
      if (day.genre_track_table[genre].empty())
        genre = static_cast<uint8_t>(day.genre_table.Sample(rng));
      const DayView::TrackRef ref =
          day.genre_tracks[genre][day.genre_track_table[genre].Sample(rng)];
      const uint32_t track = ref.track;
      const uint32_t duration = ref.duration_ms;
      const double p_skip = std::min(0.95, (0.08 + 0.55 * (1.0 - fit)) * user.skip_trait);
      uint8_t flags = base_flags;
      uint32_t ms;
      uint8_t reason_end;
      if (rng.Chance(p_skip)) {
        const double u = rng.Uniform();
        ms = static_cast<uint32_t>(duration * (0.01 + 0.4 * u * u));
        flags |= kFlagSkipped;
        reason_end = rng.Chance(0.85) ? kEndFwdBtn : kEndBackBtn;
      } else if (i + 1 == plays && rng.Chance(0.35)) {
        ms = static_cast<uint32_t>(duration * rng.Uniform(0.1, 0.95));
        const double e = rng.Uniform();
        reason_end = e < 0.7   ? kEndEndPlay
                     : e < 0.8 ? kEndLogout
                     : e < 0.9 ? kEndRemote
                               : kEndUnexpectedExit;
      } else {
        ms = duration;
        reason_end = kEndTrackDone;
      }
      if (rng.Chance(0.002)) reason_start = kStartTrackError;
      const SimEvent play{t,        user_index,      track, ms,           s.session,
                          s.item++, Page::kNextSong, flags, reason_start, reason_end,
                          s.device, Auth::kLoggedIn};
      out.push_back(play);
      if (page_views_) AddPagesAfterPlay(page_rng, play, paid, s, out);
      reason_start = reason_end == kEndTrackDone ? kStartTrackDone
                     : reason_end == kEndFwdBtn  ? kStartFwdBtn
                     : reason_end == kEndBackBtn ? kStartBackBtn
                                                 : kStartClickRow;
      // Gapless most of the time; now and then a pause inside the session.
      t += ms + rng.Below(1500);
      if (rng.Chance(0.03)) t += static_cast<int64_t>(rng.Exponential(4 * 60000.0));
    }
    produced += played;

    if (page_views_ && page_rng.Chance(0.12) && t + 4000 < range_end) {
      out.push_back({t + 2000, user_index, 0, 0, s.session, s.item++, Page::kLogout, base_flags, 0,
                     0, s.device, Auth::kLoggedIn});
      if (page_rng.Chance(0.5)) {
        out.push_back({t + 4000, user_index, 0, 0, s.session, s.item++, Page::kHome, base_flags, 0,
                       0, s.device, Auth::kLoggedOut});
      }
    }
  }
  if (page_views_) AddAccountPages(slice, out);

  std::sort(out.begin() + static_cast<std::ptrdiff_t>(first_event), out.end(),
            [](const SimEvent& a, const SimEvent& b) {
              if (a.ts_ms != b.ts_ms) return a.ts_ms < b.ts_ms;
              if (a.session != b.session) return a.session < b.session;
              return a.item < b.item;
            });
}

void SliceGenerator::AddPagesAfterPlay(Rng& rng, const SimEvent& play, bool paid, SessionState& s,
                                       std::vector<SimEvent>& out) const {
  // Page views happen while the song plays: between its start and its end.
  auto add = [&](Page page, double at) {
    const auto offset = static_cast<int64_t>(play.ms_played * at);
    if (play.ts_ms + offset >= world_.end_ms()) return;
    out.push_back({play.ts_ms + offset, play.user, 0, 0, s.session, s.item++, page, play.flags, 0,
                   0, s.device, Auth::kLoggedIn});
  };
  const double r = rng.Uniform();
  const bool skipped = (play.flags & kFlagSkipped) != 0;
  if (skipped && r < 0.08) return add(Page::kThumbsDown, 0.5);
  if (r < 0.045) return add(Page::kThumbsUp, 0.6);
  if (r < 0.050) return add(Page::kThumbsDown, 0.6);
  if (r < 0.075) return add(Page::kAddToPlaylist, 0.7);
  if (r < 0.083) return add(Page::kAddFriend, 0.5);
  if (r < 0.098) return add(Page::kHome, 0.4);
  if (r < 0.104) {
    add(Page::kSettings, 0.3);
    if (rng.Chance(0.4)) add(Page::kSaveSettings, 0.5);
    return;
  }
  if (r < 0.108) return add(Page::kHelp, 0.4);
  if (r < 0.110) return add(Page::kAbout, 0.4);
  if (r < 0.111) return add(Page::kError, 0.2);
  if (r < 0.119) return add(paid ? Page::kDowngrade : Page::kUpgrade, 0.5);
  if (!paid && r < 0.219) return add(Page::kRollAdvert, 0.95);
}

void SliceGenerator::AddAccountPages(const Slice& slice, std::vector<SimEvent>& out) const {
  const int64_t end = slice.start_ms + kMsPerHour;
  auto in_slice = [&](const std::vector<World::UserMoment>& moments) {
    auto lo = std::lower_bound(moments.begin(), moments.end(), slice.start_ms,
                               [](const World::UserMoment& m, int64_t ms) { return m.ms < ms; });
    auto hi = std::lower_bound(lo, moments.end(), end,
                               [](const World::UserMoment& m, int64_t ms) { return m.ms < ms; });
    return std::make_pair(lo, hi);
  };
  const auto& users = world_.population().users();
  uint32_t session = kAccountSessionBase;
  auto [changes_begin, changes_end] = in_slice(world_.level_changes());
  for (auto it = changes_begin; it != changes_end; ++it) {
    const User& u = users[it->user];
    const bool upgrade = u.LevelAt(it->ms) == Level::kPaid;
    const uint8_t before = upgrade ? 0 : kFlagPaid, after = upgrade ? kFlagPaid : 0;
    uint16_t item = 0;
    const uint32_t id = session++;
    out.push_back({std::max(slice.start_ms, it->ms - 60000), it->user, 0, 0, id, item++,
                   Page::kHome, before, 0, 0, u.device, Auth::kLoggedIn});
    out.push_back({std::max(slice.start_ms, it->ms - 30000), it->user, 0, 0, id, item++,
                   upgrade ? Page::kUpgrade : Page::kDowngrade, before, 0, 0, u.device,
                   Auth::kLoggedIn});
    out.push_back({it->ms, it->user, 0, 0, id, item++,
                   upgrade ? Page::kSubmitUpgrade : Page::kSubmitDowngrade, after, 0, 0, u.device,
                   Auth::kLoggedIn});
  }
  auto [churn_begin, churn_end] = in_slice(world_.churns());
  for (auto it = churn_begin; it != churn_end; ++it) {
    const User& u = users[it->user];
    const uint8_t level = u.LevelAt(it->ms) == Level::kPaid ? kFlagPaid : 0;
    const uint32_t id = session++;
    out.push_back({std::max(slice.start_ms, it->ms - 10000), it->user, 0, 0, id, 0, Page::kCancel,
                   level, 0, 0, u.device, Auth::kLoggedIn});
    out.push_back({it->ms, it->user, 0, 0, id, 1, Page::kCancellationConfirmation, level, 0, 0,
                   u.device, Auth::kCancelled});
  }
}

}  // namespace playlake::sim
