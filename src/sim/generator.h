// Generate: the simulator's entry point. Plans the range hour by hour, runs
// the listening model on worker threads, and streams the lines through one
// writer (in time order, with faults injected) into a Sink.
//
// Determinism: the output bytes depend only on the World (seed, users,
// range, tracks) and GenerateOptions, never on options.threads. Each hour is
// generated from its own random stream; the writer takes hours in order and
// carries sessions that run past an hour's end into the next hour's output.
//
// Thread safety: Generate may run concurrently with other Generate calls on
// the same World (it only reads it).
#pragma once

#include <cstdint>
#include <functional>

#include "common/result.h"
#include "sim/faults.h"
#include "sim/line_format.h"
#include "sim/sink.h"
#include "sim/world.h"

namespace playlake::sim {

struct GenerateOptions {
  uint64_t plays = 0;  // --events: exact number of distinct plays; 0: natural volume
  OutputFormat format = OutputFormat::kPlaylake;
  int threads = 1;  // generator threads, >= 1
  FaultRates faults;
  bool realtime = false;  // stamp events with the wall clock and pace them
  double rate = 0;        // real time: events (lines) per second, > 0
};

struct GenerateStats {
  uint64_t plays = 0;       // distinct plays written
  uint64_t page_views = 0;  // eventsim page views written
  uint64_t lines = 0;       // all lines, faults included
  uint64_t bytes = 0;
  FaultCounts faults;
  double seconds = 0;
};

// Wall clock and sleeping, injected so tests can control time.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual int64_t NowMs() = 0;  // UTC milliseconds
  virtual void SleepUntilMs(int64_t ms) = 0;
};
Clock& SystemClock();

struct GenerateHooks {
  Clock* clock = nullptr;  // nullptr: SystemClock()
  // Called about once a second with the running totals.
  std::function<void(const GenerateStats&)> progress;
  // Polled in real-time mode (SIGINT/SIGTERM); true ends the run cleanly.
  std::function<bool()> stop_requested;
};

// Errors: kInvalidArgument for impossible options (too many events per hour,
// no active listener), kIo from the sink.
Result<GenerateStats> Generate(const World& world, const GenerateOptions& options, Sink& sink,
                               const GenerateHooks& hooks = {});

}  // namespace playlake::sim
