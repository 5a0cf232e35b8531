#include "sim/generator.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "sim/output_stage.h"
#include "sim/session_model.h"

namespace playlake::sim {
namespace {

// Far beyond any real service, and what keeps ids collision-free (an event's
// position in its hour must fit in 28 bits, a session number in 23).
constexpr uint64_t kMaxPlaysPerHour = 4'000'000;

class RealClock final : public Clock {
 public:
  int64_t NowMs() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SleepUntilMs(int64_t ms) override {
    const int64_t wait = ms - NowMs();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::milliseconds(wait));
  }
};

// Day views are built once per day and shared by the workers generating that
// day's hours. Building is a pure function of (world, day), so whichever
// thread builds it, the result is the same.
class DayViewCache {
 public:
  explicit DayViewCache(const World& world) : world_(world) {}
  std::shared_ptr<const DayView> Get(int64_t day) {
    std::lock_guard lock(mutex_);
    auto& slot = views_[day];
    if (!slot) slot = std::make_shared<const DayView>(world_, day);
    return slot;
  }
  void DropBefore(int64_t day) {
    std::lock_guard lock(mutex_);
    views_.erase(views_.begin(), views_.lower_bound(day));
  }

 private:
  const World& world_;
  std::mutex mutex_;
  std::map<int64_t, std::shared_ptr<const DayView>> views_;
};

// What one thread needs to turn hours into formatted chunks.
class ChunkMaker {
 public:
  ChunkMaker(const World& world, const LineFormat& format)
      : format_(format), generator_(world, format.page_views()) {}

  void Make(const DayView& day, const Slice& slice, Chunk& chunk) {
    events_.clear();
    generator_.Generate(day, slice, events_);
    chunk.Clear();
    chunk.slice_end_ms = slice.start_ms + kMsPerHour;
    const auto key = static_cast<uint64_t>(slice.start_ms / kMsPerHour);
    const size_t max_line = format_.MaxLineBytes();
    chunk.line_end.reserve(events_.size());
    chunk.ts.reserve(events_.size());
    for (size_t i = 0; i < events_.size(); ++i) {
      const SimEvent& e = events_[i];
      char* end = format_.Write(e, key, static_cast<uint32_t>(i), timestamps_,
                                chunk.text.Reserve(max_line));
      chunk.text.Commit(end);
      chunk.line_end.push_back(static_cast<uint32_t>(chunk.text.size()));
      chunk.ts.push_back(e.ts_ms);
      if (e.page == Page::kNextSong) {
        ++chunk.plays;
      } else {
        ++chunk.page_views;
      }
    }
    chunk.main_count = static_cast<size_t>(
        std::lower_bound(chunk.ts.begin(), chunk.ts.end(), chunk.slice_end_ms) - chunk.ts.begin());
  }

  std::vector<SimEvent>& events() { return events_; }
  SliceGenerator& generator() { return generator_; }

 private:
  const LineFormat& format_;
  SliceGenerator generator_;
  TimestampFormatter timestamps_;
  std::vector<SimEvent> events_;
};

const char* RequiredField(OutputFormat format) {
  return format == OutputFormat::kEventsim ? "ts" : "user_id";
}

class ProgressTimer {
 public:
  ProgressTimer(Clock& clock, const GenerateHooks& hooks)
      : clock_(clock), hooks_(hooks), start_(clock.NowMs()) {
    last_ = start_;
  }
  void Tick(GenerateStats& stats) {
    if (!hooks_.progress) return;
    const int64_t now = clock_.NowMs();
    if (now - last_ < 1000) return;
    last_ = now;
    stats.seconds = static_cast<double>(now - start_) / 1000.0;
    hooks_.progress(stats);
  }
  double Seconds() const { return static_cast<double>(clock_.NowMs() - start_) / 1000.0; }

 private:
  Clock& clock_;
  const GenerateHooks& hooks_;
  int64_t start_, last_;
};

Result<GenerateStats> RunHistorical(const World& world, const GenerateOptions& options,
                                    const LineFormat& format, Sink& sink, Clock& clock,
                                    const GenerateHooks& hooks) {
  const std::vector<Slice> slices = PlanSlices(world, options.plays);
  uint64_t planned = 0;
  for (const Slice& s : slices) {
    if (s.quota > kMaxPlaysPerHour) {
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("--events: {} plays in the busiest hour is more than the {} supported; "
                      "widen --start/--end or lower --events",
                      s.quota, kMaxPlaysPerHour));
    }
    planned += s.quota;
  }
  if (options.plays != 0 && planned < options.plays) {
    return Fail(ErrorCode::kInvalidArgument,
                "no listener is active in the range; raise --users or widen the range");
  }
  OutputStage output(sink, options.faults, world.options().seed, RequiredField(options.format));
  ProgressTimer progress(clock, hooks);
  DayViewCache days(world);
  auto day_of = [](const Slice& s) { return FloorDiv(s.start_ms, kMsPerDay); };

  if (options.threads <= 1) {
    ChunkMaker maker(world, format);
    Chunk chunk;
    for (const Slice& slice : slices) {
      const auto view = days.Get(day_of(slice));
      days.DropBefore(day_of(slice));
      maker.Make(*view, slice, chunk);
      if (auto s = output.Consume(chunk); !s) return tl::unexpected(s.error());
      progress.Tick(output.stats());
    }
  } else {
    // Workers fill a ring of chunk slots; the calling thread writes them in
    // hour order. A slot is reused only after its chunk was written.
    const size_t window = static_cast<size_t>(options.threads) * 2 + 2;
    std::vector<Chunk> slots(window);
    std::vector<char> ready(window, 0);
    std::mutex mutex;
    std::condition_variable slot_free, slot_ready;
    size_t written = 0;
    bool abort = false;
    std::atomic<size_t> next{0};
    auto work = [&] {
      ChunkMaker maker(world, format);
      for (;;) {
        const size_t i = next.fetch_add(1);
        if (i >= slices.size()) return;
        {
          std::unique_lock lock(mutex);
          slot_free.wait(lock, [&] { return abort || i < written + window; });
          if (abort) return;
        }
        const auto view = days.Get(day_of(slices[i]));
        maker.Make(*view, slices[i], slots[i % window]);
        {
          std::lock_guard lock(mutex);
          ready[i % window] = 1;
        }
        slot_ready.notify_all();
      }
    };
    std::vector<std::thread> workers;
    for (int t = 0; t < options.threads; ++t) workers.emplace_back(work);
    Status status;
    for (size_t i = 0; i < slices.size() && status; ++i) {
      {
        std::unique_lock lock(mutex);
        slot_ready.wait(lock, [&] { return ready[i % window] != 0; });
      }
      status = output.Consume(slots[i % window]);
      days.DropBefore(day_of(slices[i]));
      {
        std::lock_guard lock(mutex);
        ready[i % window] = 0;
        written = i + 1;
        if (!status) abort = true;
      }
      slot_free.notify_all();
      progress.Tick(output.stats());
    }
    {
      std::lock_guard lock(mutex);
      abort = true;  // releases workers still waiting after an error
    }
    slot_free.notify_all();
    for (auto& w : workers) w.join();
    if (!status) return tl::unexpected(status.error());
  }
  if (auto s = output.Finish(); !s) return tl::unexpected(s.error());
  GenerateStats stats = output.stats();
  stats.seconds = progress.Seconds();
  return stats;
}

// Real time: the model's events in order, re-stamped with the wall clock and
// paced at options.rate lines per second.
Result<GenerateStats> RunRealtime(const World& world, const GenerateOptions& options,
                                  const LineFormat& format, Sink& sink, Clock& clock,
                                  const GenerateHooks& hooks) {
  const uint64_t hours =
      static_cast<uint64_t>(world.options().end_day - world.options().start_day + 1) * 24;
  const auto per_hour = static_cast<uint64_t>(std::clamp(options.rate * 3600.0, 1.0, 1e6));
  const std::vector<Slice> slices = PlanSlices(world, per_hour * hours);
  OutputStage output(sink, options.faults, world.options().seed, RequiredField(options.format));
  ProgressTimer progress(clock, hooks);
  ChunkMaker maker(world, format);
  TimestampFormatter timestamps;
  ByteBuffer line;
  const int64_t start = clock.NowMs();
  int64_t last_flush = start, last_stamp = 0;
  uint64_t emitted = 0;
  GenerateStats& stats = output.stats();
  auto stop = [&] {
    return (options.plays != 0 && stats.plays >= options.plays) ||
           (hooks.stop_requested && hooks.stop_requested());
  };
  const auto first_hour = static_cast<uint64_t>(world.options().start_day) * 24;
  for (uint64_t cycle = 0; !stop(); ++cycle) {
    if (cycle > 0 && emitted == 0) {
      return Fail(ErrorCode::kInvalidArgument, "no listener is active in the range; raise --users");
    }
    for (size_t s = 0; s < slices.size() && !stop(); ++s) {
      const DayView view(world, FloorDiv(slices[s].start_ms, kMsPerDay));
      auto& events = maker.events();
      events.clear();
      maker.generator().Generate(view, slices[s], events);
      // Ids stay unique across cycles through the planned range.
      const uint64_t key = first_hour + cycle * hours + s;
      for (size_t i = 0; i < events.size(); ++i) {
        if (stop()) break;
        const int64_t due =
            start + static_cast<int64_t>(static_cast<double>(emitted) * 1000.0 / options.rate);
        int64_t now = clock.NowMs();
        if (due > now) {
          if (auto st = output.Flush(); !st) return tl::unexpected(st.error());
          last_flush = now;
          clock.SleepUntilMs(due);
          now = clock.NowMs();
        }
        SimEvent e = events[i];
        e.ts_ms = last_stamp = std::max(now, last_stamp);
        line.clear();
        line.Commit(format.Write(e, key, static_cast<uint32_t>(i), timestamps,
                                 line.Reserve(format.MaxLineBytes())));
        if (auto st = output.EmitLine(line.view(), e.ts_ms); !st) return tl::unexpected(st.error());
        ++emitted;
        if (e.page == Page::kNextSong) {
          ++stats.plays;
        } else {
          ++stats.page_views;
        }
        if (now - last_flush >= 100) {
          if (auto st = output.Flush(); !st) return tl::unexpected(st.error());
          last_flush = now;
        }
        progress.Tick(stats);
      }
    }
  }
  if (auto s = output.Finish(); !s) return tl::unexpected(s.error());
  GenerateStats result = output.stats();
  result.seconds = progress.Seconds();
  return result;
}

}  // namespace

Clock& SystemClock() {
  static RealClock clock;  // stateless, so sharing it is safe
  return clock;
}

Result<GenerateStats> Generate(const World& world, const GenerateOptions& options, Sink& sink,
                               const GenerateHooks& hooks) {
  Clock& clock = hooks.clock != nullptr ? *hooks.clock : SystemClock();
  const auto format = MakeLineFormat(options.format, world);
  if (options.realtime) {
    if (!(options.rate > 0))
      return Fail(ErrorCode::kInvalidArgument, "--realtime needs --rate > 0");
    return RunRealtime(world, options, *format, sink, clock, hooks);
  }
  return RunHistorical(world, options, *format, sink, clock, hooks);
}

}  // namespace playlake::sim
