// LineFormat: renders a SimEvent as one output line (Playlake NDJSON or
// eventsim JSON). Implementations pre-render every name, id and enumeration
// into JSON fragments once, so writing a line is a handful of memcpy calls
// and integer formatting: no allocation, no escaping on the hot path.
//
// Thread safety: a LineFormat is immutable after construction and shared by
// all workers; the TimestampFormatter passed in is per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sim/civil_time.h"
#include "sim/event.h"
#include "sim/world.h"

namespace playlake::sim {

enum class OutputFormat { kPlaylake, kEventsim };

class LineFormat {
 public:
  virtual ~LineFormat() = default;
  // Upper bound of one line's size in bytes.
  virtual size_t MaxLineBytes() const = 0;
  // Writes one line ending in '\n' at p, which has room for MaxLineBytes(),
  // and returns the end. slice_key and position make the event's ids: unique
  // per (slice_key, position) and per session within a slice.
  virtual char* Write(const SimEvent& event, uint64_t slice_key, uint32_t position,
                      TimestampFormatter& timestamps, char* p) const = 0;
  // Whether the format includes page views (eventsim) or only plays.
  virtual bool page_views() const = 0;
};

// REQUIRES: world outlives the returned format.
std::unique_ptr<LineFormat> MakeLineFormat(OutputFormat format, const World& world);

// Pre-rendered JSON fragments in one arena (no allocation per fragment).
class FragmentArena {
 public:
  struct Ref {
    uint32_t offset;
    uint32_t size;
  };
  Ref Add(std::string_view bytes) {
    const Ref ref{static_cast<uint32_t>(bytes_.size()), static_cast<uint32_t>(bytes.size())};
    bytes_.append(bytes);
    return ref;
  }
  std::string_view Get(Ref ref) const { return {bytes_.data() + ref.offset, ref.size}; }
  // Pads the end so WriteFragment may read up to 31 bytes past any fragment.
  // Call once, after the last Add.
  void Seal() { bytes_.append(32, '\0'); }
  size_t size() const { return bytes_.size(); }

 private:
  std::string bytes_;
};

// The 64-bit id of an event / a session: a bijection of (slice_key, index),
// so ids never collide.
uint64_t EventIdWord(uint64_t seed, uint64_t slice_key, uint32_t position);
uint64_t SessionIdWord(uint64_t seed, uint64_t slice_key, uint32_t session);

}  // namespace playlake::sim
