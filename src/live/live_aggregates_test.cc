#include "live/live_aggregates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

namespace playlake::live {
namespace {

constexpr std::int64_t kStartMs = 1'733'400'000'000;  // 2024-12-05, a Thursday

struct Row {
  std::int64_t ms;
  std::string listener, track, artist, country, device;
};

LivePlay View(const Row& row) {
  return {row.ms, row.listener, row.track, row.artist, row.country, row.device, {}};
}

std::unique_ptr<LiveAggregates> Make(LiveOptions options = {}) {
  auto live = LiveAggregates::Create(options);
  EXPECT_TRUE(live.has_value());
  return std::move(*live);
}

// Rows shaped like the event contract's plays: skewed track popularity, event
// times mostly in order with some jitter, a few jumps ahead and stragglers.
std::vector<Row> RandomStream(std::uint64_t seed, int count) {
  std::mt19937_64 random(seed);
  const std::vector<std::string> countries = {"SE", "US", "BR", "DE", "JP", "IN", "GB"};
  const std::vector<std::string> devices = {"ios", "android", "web", "desktop"};
  std::geometric_distribution<int> popularity(0.02);
  std::vector<Row> rows;
  std::int64_t clock = kStartMs;
  for (int i = 0; i < count; ++i) {
    const int roll = static_cast<int>(random() % 1000);
    if (roll < 2) {
      clock += 20 * 60'000;  // the producer paused: a jump ahead
    } else if (roll == 999 && i > count / 2) {
      clock += 2 * 3600'000;  // longer than every window
    } else {
      clock += static_cast<std::int64_t>(random() % 250);
    }
    std::int64_t ms = clock - static_cast<std::int64_t>(random() % 40'000);  // jitter
    if (roll >= 990 && roll < 995) ms = clock - 10 * 60'000;                 // a straggler: late
    const int track = std::min(popularity(random), 400);
    rows.push_back({ms, "user" + std::to_string(random() % 3000), "Track " + std::to_string(track),
                    "Artist " + std::to_string(track % 37), countries[random() % countries.size()],
                    devices[random() % devices.size()]});
  }
  return rows;
}

// A recount from scratch over everything fed so far, by the documented rules.
class Recount {
 public:
  explicit Recount(LiveOptions options) : options_(options) {}
  void Add(const Row& row) {
    const std::int64_t second = row.ms / 1000;
    now_ = rows_.empty() && late_ == 0 ? second : std::max(now_, second);
    if (second < now_ - options_.allowed_lateness_seconds) {
      ++late_;
      return;
    }
    rows_.push_back(row);
  }
  Ranking Rank(std::string Row::*field) const {
    std::map<std::string, std::int64_t> counts;
    for (const auto& row : rows_) {
      if (row.ms / 1000 > now_ - options_.top_seconds) ++counts[row.*field];
    }
    Ranking ranking(counts.begin(), counts.end());
    std::stable_sort(ranking.begin(), ranking.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    return ranking;
  }
  std::vector<std::int64_t> Series() const {
    std::vector<std::int64_t> counts(options_.series_seconds, 0);
    for (const auto& row : rows_) {
      const std::int64_t age = now_ - row.ms / 1000;
      if (age < options_.series_seconds) ++counts[options_.series_seconds - 1 - age];
    }
    return counts;
  }
  std::size_t Listeners() const {
    std::set<std::string> listeners;
    for (const auto& row : rows_) {
      if (row.ms / 1000 > now_ - options_.listeners_seconds) listeners.insert(row.listener);
    }
    return listeners.size();
  }
  std::int64_t late() const { return late_; }
  std::int64_t accepted() const { return static_cast<std::int64_t>(rows_.size()); }

 private:
  LiveOptions options_;
  std::vector<Row> rows_;
  std::int64_t now_ = 0;
  std::int64_t late_ = 0;
};

TEST(LiveAggregates, WindowsEqualARecountOnARandomStream) {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    const LiveOptions options;
    auto live = Make(options);
    Recount recount(options);
    const auto rows = RandomStream(seed, 20'000);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      live->Add(View(rows[i]));
      recount.Add(rows[i]);
      if (i % 997 != 0 && i + 1 != rows.size()) continue;
      SCOPED_TRACE(testing::Message() << "seed " << seed << ", after " << i + 1 << " plays");
      ASSERT_EQ(live->TopTracks(), recount.Rank(&Row::track));
      // A top N ranks only the tracks counted often enough (the leaders).
      const auto top = recount.Rank(&Row::track);
      for (const std::size_t n : {1, 3}) {
        ASSERT_EQ(live->TopTracks(n), Ranking(top.begin(), top.begin() + std::min(n, top.size())));
      }
      ASSERT_EQ(live->TopArtists(), recount.Rank(&Row::artist));
      ASSERT_EQ(live->Countries(), recount.Rank(&Row::country));
      ASSERT_EQ(live->Devices(), recount.Rank(&Row::device));
      ASSERT_EQ(live->PlaysPerSecond(), recount.Series());
      ASSERT_EQ(live->late_plays(), recount.late());
      ASSERT_EQ(live->accepted_plays(), recount.accepted());
      const double listeners = static_cast<double>(recount.Listeners());
      ASSERT_NEAR(live->ActiveListeners(), listeners,
                  std::max(2.0, 3 * HyperLogLog::kStandardError * listeners));
    }
    EXPECT_GT(live->late_plays(), 0);  // the stream did exercise lateness
  }
}

TEST(LiveAggregates, TopListsAreCutAfterTheMostPlayed) {
  auto live = Make();
  const std::vector<std::pair<std::string, int>> plays = {{"b", 3}, {"a", 3}, {"c", 5}, {"d", 1}};
  for (const auto& [track, times] : plays) {
    for (int i = 0; i < times; ++i) live->Add({kStartMs, "u", track, "x", "SE", "web", {}});
  }
  EXPECT_EQ(live->TopTracks(3), (Ranking{{"c", 5}, {"a", 3}, {"b", 3}}));
}

TEST(LiveAggregates, LatePlaysAreCountedApartAndChangeNothing) {
  auto live = Make();
  live->Add({kStartMs + 600'000, "u1", "Song", "Band", "SE", "ios", {}});
  EXPECT_TRUE(
      live->Add({kStartMs + 540'000, "u2", "Song", "Band", "SE", "ios", {}}));  // 60 s: on time
  EXPECT_FALSE(live->Add({kStartMs + 539'000, "u3", "Other", "Band", "US", "web", {}}));
  EXPECT_EQ(live->late_plays(), 1);
  EXPECT_EQ(live->accepted_plays(), 2);
  EXPECT_EQ(live->TopTracks(), (Ranking{{"Song", 2}}));
  EXPECT_EQ(live->Countries(), (Ranking{{"SE", 2}}));
}

TEST(LiveAggregates, ListenersOnlyCountTheLastFiveMinutes) {
  auto live = Make();
  for (int i = 0; i < 1000; ++i)
    live->Add({kStartMs, "early" + std::to_string(i), "t", "a", "SE", "web", {}});
  EXPECT_NEAR(live->ActiveListeners(), 1000, 3 * HyperLogLog::kStandardError * 1000);
  for (int i = 0; i < 300; ++i) {
    live->Add({kStartMs + 300'000, "later" + std::to_string(i), "t", "a", "SE", "web", {}});
  }
  // The early ones are 300 s old: gone.
  EXPECT_NEAR(live->ActiveListeners(), 300, 3 * HyperLogLog::kStandardError * 300);
}

TEST(LiveAggregates, SnapshotCarriesEveryAggregateWithItsWindow) {
  LiveOptions options;
  options.series_seconds = 5;
  options.top_n = 2;
  options.allowed_lateness_seconds = 2;
  auto live = Make(options);
  EXPECT_TRUE(live->Snapshot()["now_ms"].is_null());
  live->Add({kStartMs + 1'500, "u1", "One", "A", "SE", "ios", {}});
  live->Add({kStartMs + 3'200, "u2", "Two", "B", "US", "web", {}});
  live->Add({kStartMs + 3'900, "u2", "Two", "B", "US", "web", {}});
  live->Add({kStartMs + 3'900, "u3", "Three", "B", "US", "web", {}});
  const auto snapshot = live->Snapshot();
  EXPECT_EQ(snapshot["now_ms"], kStartMs + 3'000);
  EXPECT_EQ(snapshot["watermark_ms"], kStartMs + 1'000);
  EXPECT_EQ(snapshot["plays_per_second"]["from_ms"], kStartMs - 1'000);
  EXPECT_EQ(snapshot["plays_per_second"]["counts"], (nlohmann::json{0, 0, 1, 0, 3}));
  EXPECT_EQ(snapshot["active_listeners"]["estimate"], 3);
  EXPECT_EQ(snapshot["top_tracks"]["window_seconds"], 900);
  EXPECT_EQ(snapshot["top_tracks"]["rows"],
            (nlohmann::json{{{"key", "Two"}, {"plays", 2}}, {{"key", "One"}, {"plays", 1}}}));
  EXPECT_EQ(snapshot["top_artists"]["rows"][0], (nlohmann::json{{"key", "B"}, {"plays", 3}}));
  EXPECT_EQ(snapshot["devices"]["rows"].size(), 2u);
  EXPECT_EQ(snapshot["accepted_plays"], 4);
  EXPECT_EQ(snapshot["late_plays"], 0);
}

TEST(LiveAggregates, TopTracksShowTheLatestNameOfEachIdWhileItIsInTheWindow) {
  LiveOptions options;
  options.top_seconds = 10;
  options.allowed_lateness_seconds = 2;
  auto live = Make(options);
  live->Add({kStartMs, "u1", "id1", "Band", "SE", "ios", "Old Title"});
  live->Add({kStartMs + 1'000, "u2", "id1", "Band", "SE", "ios", "New Title"});
  live->Add({kStartMs + 1'000, "u2", "id2", "Other", "SE", "ios", {}});  // no name given
  EXPECT_EQ(
      live->Snapshot()["top_tracks"]["rows"],
      (nlohmann::json{{{"key", "id1"}, {"plays", 2}, {"name", "New Title"}, {"artist", "Band"}},
                      {{"key", "id2"}, {"plays", 1}}}));
  // id1 leaves the window and comes back without a name: its old name is gone.
  live->Add({kStartMs + 20'000, "u3", "id1", "Band", "SE", "ios", {}});
  EXPECT_EQ(live->Snapshot()["top_tracks"]["rows"],
            (nlohmann::json{{{"key", "id1"}, {"plays", 1}}}));
}

TEST(LiveAggregates, OptionsAreValidatedByName) {
  LiveOptions bad;
  bad.top_seconds = 0;
  auto made = LiveAggregates::Create(bad);
  ASSERT_FALSE(made.has_value());
  EXPECT_NE(made.error().message.find("top_seconds"), std::string::npos);
  LiveOptions late;
  late.allowed_lateness_seconds = 300;
  made = LiveAggregates::Create(late);
  ASSERT_FALSE(made.has_value());
  EXPECT_NE(made.error().message.find("allowed_lateness_seconds"), std::string::npos);
}

}  // namespace
}  // namespace playlake::live
