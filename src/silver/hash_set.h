// HashSet64: an open-addressing set of 64-bit hashes, for deduplication on the
// hot path (no allocation per insert, ~16 bytes per key at load ≤ 0.5).
//
// A 64-bit hash stands in for the key: two different keys collide with
// probability ~n²/2⁶⁵ (≈ 7·10⁻⁷ for 5 M keys); a collision would drop a row
// as a duplicate, which silver counts in `duplicates.<table>`.
// Not thread safe.
#pragma once

#include <cstdint>
#include <vector>

namespace playlake::silver {

class HashSet64 {
 public:
  HashSet64() : slots_(1024, 0) {}

  // Inserts `hash`; returns false when it was already present.
  bool Insert(std::uint64_t hash) {
    if (hash == 0) hash = 1;  // 0 marks an empty slot
    if ((size_ + 1) * 2 > slots_.size()) Grow();
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slots_[i] == hash) return false;
      if (slots_[i] == 0) {
        slots_[i] = hash;
        ++size_;
        return true;
      }
    }
  }
  bool Contains(std::uint64_t hash) const {
    if (hash == 0) hash = 1;
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      if (slots_[i] == hash) return true;
      if (slots_[i] == 0) return false;
    }
  }
  void InsertAll(const HashSet64& other) {
    for (std::uint64_t h : other.slots_) {
      if (h != 0) Insert(h);
    }
  }
  std::size_t size() const { return size_; }
  std::size_t bytes() const { return slots_.size() * sizeof(std::uint64_t); }

 private:
  void Grow() {
    std::vector<std::uint64_t> old(slots_.size() * 2, 0);
    old.swap(slots_);
    const std::size_t mask = slots_.size() - 1;
    for (std::uint64_t h : old) {
      if (h == 0) continue;
      std::size_t i = h & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = h;
    }
  }
  std::vector<std::uint64_t> slots_;
  std::size_t size_ = 0;
};

}  // namespace playlake::silver
