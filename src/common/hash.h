// Content hashes: XXH3, 128-bit for checksums and content-derived ids, 64-bit
// for in-memory keys.
//
// The digests are part of what the lake stores (batch ids, row ids, input
// checksums; docs/lake-format.md): they never change between versions. Hex
// digits are lower case, the high 64 bits first.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace playlake {

// Incremental XXH3-128 of a byte stream: the same digest as Hash128Hex of all
// the bytes given to Update. Not thread safe; one owner at a time.
class Checksum {
 public:
  Checksum();
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  void Update(std::string_view bytes);
  // 32 lower-case hex digits of the digest so far; Update may follow.
  std::string Hex() const;

 private:
  void* state_;  // XXH3_state_t, kept out of the header
};

// 32 lower-case hex digits of XXH3-128(bytes).
std::string Hash128Hex(std::string_view bytes);
// The same digits written to `out` without allocating (no terminating NUL).
void Hash128HexTo(std::string_view bytes, char (&out)[32]);
// XXH3-64(bytes) with seed 0.
std::uint64_t Hash64(std::string_view bytes);

}  // namespace playlake
