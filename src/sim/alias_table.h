// AliasTable: O(1) sampling from a fixed discrete distribution (Walker/Vose).
//
// Building costs O(n); each Sample() costs one random number and one memory
// read, which is what lets the hot path pick among 100,000 tracks or users in
// a few nanoseconds. Weights need not be normalised; zero weights are never
// drawn. Immutable after construction, so safe to share between threads.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "sim/rng.h"

namespace playlake::sim {

class AliasTable {
 public:
  AliasTable() = default;
  // REQUIRES: weights are finite and >= 0. If all are zero the table is empty.
  explicit AliasTable(std::span<const double> weights);

  bool empty() const { return slots_.empty(); }
  uint32_t size() const { return static_cast<uint32_t>(slots_.size()); }

  // REQUIRES: !empty(). Returns an index in [0, size()).
  uint32_t Sample(Rng& rng) const {
    const uint64_t r = rng.Next();
    const uint32_t i = static_cast<uint32_t>(((r >> 32) * slots_.size()) >> 32);
    const Slot& slot = slots_[i];
    // The low 32 bits are independent of the high ones used for the column.
    return static_cast<uint32_t>(r) < slot.threshold ? i : slot.alias;
  }

 private:
  struct Slot {
    uint32_t threshold;  // keep column i when the low 32 random bits are below it
    uint32_t alias;
  };
  std::vector<Slot> slots_;
};

}  // namespace playlake::sim
