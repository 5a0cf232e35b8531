// FaultInjector: makes a clean, time-ordered stream of lines look like a real
// feed, at the requested rates (each rate is per distinct play):
//  - duplicates: a line re-sent byte for byte 1-20 lines later;
//  - late events: a line held back and released when the stream has moved
//    1 hour to 3 days past its timestamp (so it also arrives out of order);
//  - malformed lines: EXTRA lines (the valid events stay complete): truncated
//    JSON, invalid UTF-8, a wrong type, a missing required field, or binary
//    garbage;
//  - unknown fields: an extra field appended to the object.
// Which lines are hit is decided by a seeded Rng drawing the gap to the next
// hit (geometric), so a clean stream pays nothing per line for faults.
//
// Thread safety: none; the single output thread owns it.
#pragma once

#include <cstdint>
#include <queue>
#include <string>
#include <string_view>
#include <vector>

#include "sim/output_parts.h"
#include "sim/rng.h"

namespace playlake::sim {

struct FaultRates {
  double duplicate = 0;
  double late = 0;
  double malformed = 0;
  double unknown_field = 0;
  bool any() const { return duplicate > 0 || late > 0 || malformed > 0 || unknown_field > 0; }
};

struct FaultCounts {
  uint64_t duplicates = 0;
  uint64_t late = 0;
  uint64_t malformed = 0;
  uint64_t unknown_fields = 0;
};

class FaultInjector {
 public:
  // required_field: a field malformed lines may drop ("user_id", "ts", ...).
  FaultInjector(const FaultRates& rates, uint64_t seed, std::string required_field);

  // Adds `line` (one event, ending in '\n', timestamp ts_ms, streams in ts
  // order) to out, together with whatever faults fall due before or after it.
  // `line` is borrowed: it must stay valid until out is cleared.
  void Push(std::string_view line, int64_t ts_ms, OutputParts& out) {
    if (--until_anything_ > 0 && ts_ms < next_late_due_) {
      out.Borrow(line);
      return;
    }
    PushSlow(line, ts_ms, out);
  }
  // Releases every held line (end of stream).
  void Finish(OutputParts& out);
  const FaultCounts& counts() const { return counts_; }

 private:
  struct Held {
    int64_t due;  // late: release time; duplicate: line number
    uint64_t order;
    std::string line;
    bool operator>(const Held& other) const {
      return due != other.due ? due > other.due : order > other.order;
    }
  };
  using MinHeap = std::priority_queue<Held, std::vector<Held>, std::greater<Held>>;

  void PushSlow(std::string_view line, int64_t ts_ms, OutputParts& out);
  void Reschedule();
  uint64_t Gap(double rate);
  std::string Malformed(std::string_view line);

  FaultRates rates_;
  Rng rng_;
  std::string required_field_;
  uint64_t line_number_ = 0;
  uint64_t order_ = 0;
  // Line numbers at which the next fault of each kind hits.
  uint64_t next_duplicate_, next_late_, next_malformed_, next_unknown_;
  int64_t until_anything_ = 0;  // Push calls left before PushSlow must look again
  int64_t gap_ = 0;             // what until_anything_ was set to
  int64_t next_late_due_ = INT64_MAX;
  MinHeap late_;
  MinHeap duplicates_;
  FaultCounts counts_;
};

}  // namespace playlake::sim
