#include "sim/output_stage.h"

#include "sim/civil_time.h"

namespace playlake::sim {
namespace {
constexpr size_t kBlockBytes = 1 << 20;
}  // namespace

OutputStage::OutputStage(Sink& sink, const FaultRates& faults, uint64_t seed,
                         std::string required_field)
    : sink_(sink), faults_(faults, seed, std::move(required_field)) {}

Status OutputStage::Emit(std::string_view line, int64_t ts_ms) {
  const int64_t day = FloorDiv(ts_ms, kMsPerDay);
  // Days only move forward: a line from an earlier day (a late event) goes to
  // the file being written, as a real feed's arrival-time partitioning would.
  if (day > day_) {
    if (auto s = Drain(); !s) return s;
    if (auto s = sink_.StartDay(day); !s) return s;
    day_ = day;
  }
  faults_.Push(line, ts_ms, out_);
  ++stats_.lines;  // faulty extras are added in Finish
  return {};
}

Status OutputStage::EmitLine(std::string_view line, int64_t ts_ms) {
  realtime_lines_.emplace_back(line);
  if (auto s = Emit(realtime_lines_.back(), ts_ms); !s) return s;
  return out_.bytes() >= kBlockBytes ? Drain() : Status{};
}

Status OutputStage::Drain() {
  if (out_.empty()) return {};
  stats_.bytes += out_.bytes();
  auto s = sink_.WriteParts(out_.parts());
  out_.Clear();
  realtime_lines_.clear();
  return s;
}

Status OutputStage::Consume(const Chunk& chunk) {
  const char* text = chunk.text.data();
  auto line = [&](size_t i) {
    const uint32_t begin = i == 0 ? 0 : chunk.line_end[i - 1];
    return std::string_view(text + begin, chunk.line_end[i] - begin);
  };
  // Merge the carried lines due before this hour's end with the hour's lines.
  size_t c = 0, i = 0;
  while (c < carry_.size() && carry_[c].ts < chunk.slice_end_ms) {
    while (i < chunk.main_count && chunk.ts[i] < carry_[c].ts) {
      if (auto s = Emit(line(i), chunk.ts[i]); !s) return s;
      ++i;
    }
    if (auto s = Emit(carry_text_.view().substr(carry_[c].offset, carry_[c].size), carry_[c].ts);
        !s)
      return s;
    ++c;
  }
  for (; i < chunk.main_count; ++i) {
    if (auto s = Emit(line(i), chunk.ts[i]); !s) return s;
  }
  // Write now: the parts borrow from the chunk and from carry_text_.
  if (auto s = Drain(); !s) return s;
  // Carry the rest: earlier carried lines and this hour's overflow, merged.
  next_carry_text_.clear();
  next_carry_.clear();
  auto keep = [&](std::string_view bytes, int64_t ts) {
    next_carry_.push_back(
        {ts, static_cast<uint32_t>(next_carry_text_.size()), static_cast<uint32_t>(bytes.size())});
    next_carry_text_.Append(bytes);
  };
  size_t j = chunk.main_count;
  while (c < carry_.size() || j < chunk.ts.size()) {
    if (j == chunk.ts.size() || (c < carry_.size() && carry_[c].ts <= chunk.ts[j])) {
      keep(carry_text_.view().substr(carry_[c].offset, carry_[c].size), carry_[c].ts);
      ++c;
    } else {
      keep(line(j), chunk.ts[j]);
      ++j;
    }
  }
  std::swap(carry_text_, next_carry_text_);
  std::swap(carry_, next_carry_);
  stats_.plays += chunk.plays;
  stats_.page_views += chunk.page_views;
  return {};
}

Status OutputStage::Flush() {
  if (auto s = Drain(); !s) return s;
  return sink_.Flush();
}

Status OutputStage::Finish() {
  for (const Carried& k : carry_) {
    if (auto s = Emit(carry_text_.view().substr(k.offset, k.size), k.ts); !s) return s;
  }
  faults_.Finish(out_);
  if (auto s = Drain(); !s) return s;
  stats_.faults = faults_.counts();
  stats_.lines += stats_.faults.duplicates + stats_.faults.malformed;
  return sink_.Finish();
}

}  // namespace playlake::sim
