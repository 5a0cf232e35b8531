// OutputStage: the single writer. Receives each hour's formatted lines in
// hour order, merges in the lines carried over from sessions that started in
// earlier hours, passes everything through the FaultInjector and writes it to
// the Sink, switching daily files at UTC midnight. Lines are not copied on
// their way out: the sink writes them from the chunk's own buffer.
//
// Thread safety: none; owned by the writer thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "common/result.h"
#include "sim/byte_buffer.h"
#include "sim/faults.h"
#include "sim/generator.h"
#include "sim/output_parts.h"
#include "sim/sink.h"

namespace playlake::sim {

// One hour's output, sorted by ts. Lines [0, main_count) start before the
// hour ends; the rest belong to later hours and are carried.
struct Chunk {
  int64_t slice_end_ms = 0;
  ByteBuffer text;
  std::vector<uint32_t> line_end;  // offset just past each line's '\n'
  std::vector<int64_t> ts;
  size_t main_count = 0;
  uint64_t plays = 0;
  uint64_t page_views = 0;
  void Clear() {
    text.clear();
    line_end.clear();
    ts.clear();
    main_count = 0;
    plays = page_views = 0;
  }
};

class OutputStage {
 public:
  OutputStage(Sink& sink, const FaultRates& faults, uint64_t seed, std::string required_field);

  // Writes the chunk's lines due before its hour ends (with the carried
  // lines due by then) and carries the rest. The chunk may be reused after.
  Status Consume(const Chunk& chunk);
  // Emits one line (copied) now: real-time mode.
  Status EmitLine(std::string_view line, int64_t ts_ms);
  // Writes buffered bytes to the sink and asks it to flush.
  Status Flush();
  // Emits everything still carried or held, then completes the sink.
  Status Finish();

  GenerateStats& stats() { return stats_; }

 private:
  struct Carried {
    int64_t ts;
    uint32_t offset;
    uint32_t size;
  };
  Status Emit(std::string_view line, int64_t ts_ms);
  Status Drain();

  Sink& sink_;
  FaultInjector faults_;
  OutputParts out_;
  std::deque<std::string> realtime_lines_;  // owned until the next Drain
  int64_t day_ = INT64_MIN;
  // Lines carried into later hours, sorted by ts; double-buffered.
  ByteBuffer carry_text_, next_carry_text_;
  std::vector<Carried> carry_, next_carry_;
  GenerateStats stats_;
};

}  // namespace playlake::sim
