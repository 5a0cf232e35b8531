// The listening model: turns one simulated hour (a "slice") into events.
//
// An hour gets a quota of plays (PlanSlices: proportional to how many people
// are awake and listening at that local hour in each zone, or scaled so the
// whole range totals exactly --events). GenerateSlice then starts sessions in
// that hour until the quota is met: it picks a zone by its current listening
// weight, a listener by activity, a start second, and plays tracks from the
// listener's taste and today's popularity, with skips where taste fits badly.
// Sessions may run past the end of the hour; the orchestrator carries those
// events into the next hour's output.
//
// Everything is seeded by (seed, absolute hour), so an hour's events do not
// depend on any other hour: hours are generated in parallel and the output is
// the same for any thread count.
//
// Thread safety: SliceGenerator is stateless after construction apart from
// scratch space; use one per thread.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/event.h"
#include "sim/world.h"

namespace playlake::sim {

struct Slice {
  int64_t start_ms;  // a UTC hour
  uint64_t quota;    // plays whose session starts in this hour
};

// One slice per UTC hour of the world's range. total_plays == 0: natural
// volume (sum of users' activity); otherwise quotas sum to exactly total_plays.
std::vector<Slice> PlanSlices(const World& world, uint64_t total_plays);

// Expected plays per hour at natural volume for `day` (used by the real-time
// mode to pace a live "day").
double NaturalPlaysPerDay(const World& world, int64_t day);

class SliceGenerator {
 public:
  // page_views: also generate eventsim page views (Home, Login, Thumbs Up...).
  // They use their own random stream, so plays are identical either way.
  SliceGenerator(const World& world, bool page_views);

  // Appends the slice's events to out, sorted by (ts, session, item).
  // `day` must be the DayView of the slice's UTC day.
  void Generate(const DayView& day, const Slice& slice, std::vector<SimEvent>& out);

 private:
  struct SessionState;
  void AddPagesAfterPlay(Rng& rng, const SimEvent& play, bool paid, SessionState& s,
                         std::vector<SimEvent>& out) const;
  void AddAccountPages(const Slice& slice, std::vector<SimEvent>& out) const;

  const World& world_;
  bool page_views_;
  std::vector<double> zone_weights_;
};

}  // namespace playlake::sim
