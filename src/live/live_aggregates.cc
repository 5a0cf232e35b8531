#include "live/live_aggregates.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>

namespace playlake::live {
namespace {

constexpr std::int64_t kNoSecond = INT64_MIN;

std::int64_t FloorSecond(std::int64_t ms) { return ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); }

std::size_t Slot(std::int64_t second, int slots) {
  const std::int64_t n = slots;
  return static_cast<std::size_t>(((second % n) + n) % n);
}

nlohmann::json Rows(const Ranking& ranking, int window_seconds) {
  auto rows = nlohmann::json::array();
  for (const auto& [key, plays] : ranking) rows.push_back({{"key", key}, {"plays", plays}});
  return {{"window_seconds", window_seconds}, {"rows", std::move(rows)}};
}

}  // namespace

void LiveAggregates::WindowedCounts::Add(std::size_t slot, std::string_view key) {
  auto total = totals.find(key);
  if (total == totals.end()) total = totals.emplace(std::string(key), 0).first;
  if (++total->second == floor) leaders.insert(&*total);
  ++seconds[slot][&*total];
}

void LiveAggregates::WindowedCounts::Expire(std::size_t slot, TrackNames* names) {
  for (const auto& [total, count] : seconds[slot]) {
    if (total->second >= floor && total->second - count < floor) leaders.erase(total);
    total->second -= count;
    if (total->second != 0) continue;
    if (names != nullptr) names->erase(total->first);
    totals.erase(totals.find(total->first));
  }
  seconds[slot].clear();
}

// Leaders between `limit` and kMaxLeadersPerRow times as many rank in little
// time; the floor aims at kLeadersPerRow times.
constexpr std::size_t kLeadersPerRow = 4;
constexpr std::size_t kMaxLeadersPerRow = 64;

void LiveAggregates::WindowedCounts::ChooseFloor(std::size_t limit) {
  std::vector<std::int64_t> counts;
  counts.reserve(totals.size());
  for (const auto& [key, count] : totals) counts.push_back(count);
  const std::size_t aim = std::min(counts.size(), limit * kLeadersPerRow);
  floor = 1;
  if (aim > 0 && counts.size() > aim) {
    std::nth_element(counts.begin(), counts.begin() + static_cast<std::ptrdiff_t>(aim - 1),
                     counts.end(), std::greater<>());
    floor = counts[aim - 1];
    // Keys tied at that count may be many: one more play is the floor when
    // enough keys still reach it.
    const auto above =
        std::count_if(counts.begin(), counts.end(), [&](std::int64_t c) { return c > floor; });
    if (static_cast<std::size_t>(above) >= limit) ++floor;
  }
  leaders.clear();
  for (const auto& total : totals) {
    if (total.second >= floor) leaders.insert(&total);
  }
  chosen = leaders.size();
}

Ranking LiveAggregates::WindowedCounts::Top(std::size_t limit) {
  if (limit == 0) {
    std::vector<const Counts::value_type*> all;
    all.reserve(totals.size());
    for (const auto& total : totals) all.push_back(&total);
    return Rank(std::move(all), 0);
  }
  if ((leaders.size() < limit && floor > 1) ||
      leaders.size() > std::max(limit * kMaxLeadersPerRow, 2 * chosen)) {
    ChooseFloor(limit);
  }
  return Rank({leaders.begin(), leaders.end()}, limit);
}

Result<std::unique_ptr<LiveAggregates>> LiveAggregates::Create(LiveOptions options) {
  const std::pair<const char*, int> windows[] = {{"series_seconds", options.series_seconds},
                                                 {"listeners_seconds", options.listeners_seconds},
                                                 {"top_seconds", options.top_seconds}};
  for (const auto& [name, seconds] : windows) {
    if (seconds <= 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("live {}: must be a positive number of seconds", name));
    }
    if (options.allowed_lateness_seconds < 0 || options.allowed_lateness_seconds >= seconds) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("live allowed_lateness_seconds: must be at least 0 and shorter "
                              "than {} ({} s)",
                              name, seconds));
    }
  }
  if (options.top_n <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "live top_n: must be a positive number");
  }
  return std::unique_ptr<LiveAggregates>(new LiveAggregates(options));
}

LiveAggregates::LiveAggregates(LiveOptions options)
    : options_(options),
      series_second_(options.series_seconds, kNoSecond),
      series_plays_(options.series_seconds, 0),
      listeners_second_(options.listeners_seconds, kNoSecond),
      listeners_(options.listeners_seconds),
      top_second_(options.top_seconds, kNoSecond) {
  for (auto* counts : {&tracks_, &artists_, &countries_, &devices_}) {
    counts->seconds.resize(options.top_seconds);
  }
}

void LiveAggregates::Advance(std::int64_t second) {
  // The seconds that leave the top window, (now - W, second - W], of which
  // only those up to now can hold plays.
  const int window = options_.top_seconds;
  const std::int64_t last = std::min(now_, second - window);
  for (std::int64_t s = now_ - window + 1; s <= last; ++s) {
    const std::size_t slot = Slot(s, window);
    if (top_second_[slot] != s) continue;
    tracks_.Expire(slot, &track_names_);
    for (auto* counts : {&artists_, &countries_, &devices_}) counts->Expire(slot);
    top_second_[slot] = kNoSecond;
  }
  now_ = second;
}

bool LiveAggregates::Add(const LivePlay& play) {
  const std::int64_t second = FloorSecond(play.event_time_ms);
  if (!started_) {
    started_ = true;
    now_ = second;
  }
  if (second > now_) Advance(second);
  if (second < now_ - options_.allowed_lateness_seconds) {
    ++late_;
    return false;
  }
  ++accepted_;
  const std::size_t series = Slot(second, options_.series_seconds);
  if (series_second_[series] != second) {
    series_second_[series] = second;
    series_plays_[series] = 0;
  }
  ++series_plays_[series];

  const std::size_t listeners = Slot(second, options_.listeners_seconds);
  if (listeners_second_[listeners] != second) {
    listeners_second_[listeners] = second;
    listeners_[listeners].Clear();
  }
  listeners_[listeners].Add(play.listener);

  // Every older second in this slot has expired (Advance), so it is free or ours.
  const std::size_t top = Slot(second, options_.top_seconds);
  top_second_[top] = second;
  tracks_.Add(top, play.track);
  if (!play.track_name.empty() && play.track_name != play.track) {
    // Looked up by view: a track already named costs no allocation.
    auto it = track_names_.find(play.track);
    if (it == track_names_.end()) {
      track_names_.emplace(play.track,
                           std::pair(std::string(play.track_name), std::string(play.artist)));
    } else if (it->second.first != play.track_name || it->second.second != play.artist) {
      it->second = {std::string(play.track_name), std::string(play.artist)};
    }
  }
  artists_.Add(top, play.artist);
  countries_.Add(top, play.country);
  devices_.Add(top, play.device);
  return true;
}

// Ranks the rows `order` points at (rows of a window's totals) and copies
// only the rows kept.
Ranking LiveAggregates::Rank(std::vector<const Counts::value_type*> order, std::size_t limit) {
  const auto before = [](const auto* a, const auto* b) {
    return a->second != b->second ? a->second > b->second : a->first < b->first;
  };
  const std::size_t kept = limit == 0 ? order.size() : std::min(limit, order.size());
  const auto end = order.begin() + static_cast<std::ptrdiff_t>(kept);
  std::partial_sort(order.begin(), end, order.end(), before);
  Ranking ranking;
  ranking.reserve(kept);
  for (auto it = order.begin(); it != end; ++it) ranking.emplace_back((*it)->first, (*it)->second);
  return ranking;
}

std::vector<std::int64_t> LiveAggregates::PlaysPerSecond() const {
  const int window = options_.series_seconds;
  std::vector<std::int64_t> counts(window, 0);
  if (!started_) return counts;
  for (int i = 0; i < window; ++i) {
    const std::int64_t second = now_ - window + 1 + i;
    const std::size_t slot = Slot(second, window);
    if (series_second_[slot] == second) counts[i] = series_plays_[slot];
  }
  return counts;
}

double LiveAggregates::ActiveListeners() const {
  HyperLogLog all;
  for (std::size_t slot = 0; slot < listeners_.size(); ++slot) {
    const std::int64_t second = listeners_second_[slot];
    if (second != kNoSecond && second > now_ - options_.listeners_seconds) {
      all.Merge(listeners_[slot]);
    }
  }
  return started_ ? all.Estimate() : 0;
}

// Rows() of the top tracks, with `name` and `artist` where the plays gave a name.
nlohmann::json LiveAggregates::TrackRows(std::size_t limit) {
  nlohmann::json rows = Rows(TopTracks(limit), options_.top_seconds);
  for (auto& row : rows["rows"]) {
    const auto it = track_names_.find(row["key"].get<std::string_view>());
    if (it == track_names_.end()) continue;
    row["name"] = it->second.first;
    row["artist"] = it->second.second;
  }
  return rows;
}

nlohmann::json LiveAggregates::Snapshot() {
  const auto top_n = static_cast<std::size_t>(options_.top_n);
  nlohmann::json now = nullptr, watermark = nullptr, from = nullptr;
  if (started_) {
    now = now_ * 1000;
    watermark = (now_ - options_.allowed_lateness_seconds) * 1000;
    from = (now_ - options_.series_seconds + 1) * 1000;
  }
  return {
      {"now_ms", now},
      {"watermark_ms", watermark},
      {"accepted_plays", accepted_},
      {"late_plays", late_},
      {"plays_per_second",
       {{"window_seconds", options_.series_seconds},
        {"from_ms", from},
        {"counts", PlaysPerSecond()}}},
      {"active_listeners",
       {{"window_seconds", options_.listeners_seconds},
        {"estimate", std::llround(ActiveListeners())},
        {"standard_error", HyperLogLog::kStandardError}}},
      {"top_tracks", TrackRows(top_n)},
      {"top_artists", Rows(TopArtists(top_n), options_.top_seconds)},
      {"countries", Rows(Countries(), options_.top_seconds)},
      {"devices", Rows(Devices(), options_.top_seconds)},
  };
}

}  // namespace playlake::live
