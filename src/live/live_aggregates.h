// What the Live page shows, kept by event time from a stream of plays: plays
// per second over the last hour, listeners active in the last 5 minutes
// (HyperLogLog: ±1.6 % standard error), and over the last 15 minutes the top
// tracks and artists, plays by country and the device split, which are exact
// (equal to a recount of the same plays over the same window).
//
// Time is the plays' own: "now" is the latest event time seen, and the
// watermark trails it by `allowed_lateness_seconds`. A play older than the
// watermark is late: it is counted apart and changes no window. Windows are
// whole seconds ending at now: "the last N seconds" holds the plays whose
// second is in (now - N, now].
//
// Memory is bounded by the windows, not the stream: one counter per second of
// the hour, one 4 KiB sketch per second of the listeners' window, and per
// second of the top window a count per distinct key seen in that second.
//
// Thread safety: none; one thread feeds it and takes snapshots (or the
// caller serializes).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "common/result.h"
#include "live/hyper_log_log.h"

namespace playlake::live {

// One play, as parsed from the stream (the views need only live for Add()).
struct LivePlay {
  std::int64_t event_time_ms = 0;  // Unix epoch milliseconds
  std::string_view listener;
  std::string_view track;  // the track's key: its id, else its name
  std::string_view artist;
  std::string_view country;
  std::string_view device;
  std::string_view track_name;  // shown for the key when given
};

struct LiveOptions {
  int series_seconds = 3600;          // plays per second
  int listeners_seconds = 300;        // active listeners
  int top_seconds = 900;              // top tracks and artists, countries, devices
  int allowed_lateness_seconds = 60;  // older than now minus this: late
  int top_n = 10;                     // rows of each top list in the snapshot
};

// Keys with their play counts, most played first, ties by key.
using Ranking = std::vector<std::pair<std::string, std::int64_t>>;

class LiveAggregates {
 public:
  // Error{kInvalidArgument} naming the option when a window is not positive
  // or the lateness is not shorter than every window.
  static Result<std::unique_ptr<LiveAggregates>> Create(LiveOptions options = {});

  // Adds a play; false when it is late (counted in late_plays() only).
  bool Add(const LivePlay& play);

  // The Live page's document: see docs/api.md (live stream).
  // Not const: ranking may choose a window's floor again (docs of WindowedCounts).
  nlohmann::json Snapshot();

  // The top window's rankings, `limit` rows at most (0: all).
  Ranking TopTracks(std::size_t limit = 0) { return tracks_.Top(limit); }
  Ranking TopArtists(std::size_t limit = 0) { return artists_.Top(limit); }
  Ranking Countries() { return countries_.Top(0); }
  Ranking Devices() { return devices_.Top(0); }
  // Plays per second, oldest first, ending at now (series_seconds values).
  std::vector<std::int64_t> PlaysPerSecond() const;
  double ActiveListeners() const;

  std::int64_t now_second() const { return now_; }
  std::int64_t accepted_plays() const { return accepted_; }
  std::int64_t late_plays() const { return late_; }

 private:
  // Looked up by string_view: no string is built for a key already counted.
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view key) const {
      return std::hash<std::string_view>{}(key);
    }
  };
  using Counts = std::unordered_map<std::string, std::int64_t, KeyHash, std::equal_to<>>;
  // What a track key is shown as: the track's and its artist's names.
  using TrackNames = std::unordered_map<std::string, std::pair<std::string, std::string>, KeyHash,
                                        std::equal_to<>>;

  // Counts per key over a sliding window of seconds: their running sum, and
  // one map per second of the rows of that sum the second added to (a key's
  // text is held once, by the sum), so the window's totals are exact at any
  // time.
  //
  // A top N ranks the leaders, every key counted at least `floor` times,
  // kept as counts change: when they are N or more, no other key can be
  // among the first N. Ranking every key at each snapshot took 40 % of the
  // server's CPU at 50,000 plays a second; the floor is chosen again (from
  // every key) only when the leaders are too few, or both too many and twice
  // as many as that choice left (ties can leave many: choosing again then
  // would only find the same floor).
  struct WindowedCounts {
    Counts totals;
    std::vector<std::unordered_map<Counts::value_type*, std::int64_t>> seconds;
    std::int64_t floor = 1;
    std::unordered_set<const Counts::value_type*> leaders;
    std::size_t chosen = 0;  // the leaders when the floor was last chosen
    void Add(std::size_t slot, std::string_view key);
    // Forgets the keys that leave the window in `names` too, when given.
    void Expire(std::size_t slot, TrackNames* names = nullptr);
    // The first `limit` keys (0: all); may choose the floor again.
    Ranking Top(std::size_t limit);
    void ChooseFloor(std::size_t limit);
  };

  explicit LiveAggregates(LiveOptions options);
  void Advance(std::int64_t second);
  static Ranking Rank(std::vector<const Counts::value_type*> order, std::size_t limit);
  nlohmann::json TrackRows(std::size_t limit);

  const LiveOptions options_;
  bool started_ = false;
  std::int64_t now_ = 0;  // the latest second seen
  std::int64_t accepted_ = 0;
  std::int64_t late_ = 0;

  std::vector<std::int64_t> series_second_;  // which second each slot holds
  std::vector<std::int64_t> series_plays_;
  std::vector<std::int64_t> listeners_second_;
  std::vector<HyperLogLog> listeners_;
  std::vector<std::int64_t> top_second_;
  WindowedCounts tracks_, artists_, countries_, devices_;
  TrackNames track_names_;  // of the keys in tracks_ that came with a name
};

}  // namespace playlake::live
