#include "common/hash.h"

#include <fmt/format.h>
#include <xxhash.h>

namespace playlake {
namespace {

std::string HexOf(const XXH128_hash_t& h) {
  return fmt::format("{:016x}{:016x}", h.high64, h.low64);
}

}  // namespace

Checksum::Checksum() : state_(XXH3_createState()) {
  XXH3_128bits_reset(static_cast<XXH3_state_t*>(state_));
}

Checksum::~Checksum() { XXH3_freeState(static_cast<XXH3_state_t*>(state_)); }

void Checksum::Update(std::string_view bytes) {
  XXH3_128bits_update(static_cast<XXH3_state_t*>(state_), bytes.data(), bytes.size());
}

std::string Checksum::Hex() const {
  return HexOf(XXH3_128bits_digest(static_cast<XXH3_state_t*>(state_)));
}

std::string Hash128Hex(std::string_view bytes) {
  return HexOf(XXH3_128bits(bytes.data(), bytes.size()));
}

void Hash128HexTo(std::string_view bytes, char (&out)[32]) {
  static constexpr char kHex[] = "0123456789abcdef";
  const XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  for (int i = 0; i < 16; ++i) {
    out[i] = kHex[(h.high64 >> (60 - 4 * i)) & 0xF];
    out[16 + i] = kHex[(h.low64 >> (60 - 4 * i)) & 0xF];
  }
}

std::uint64_t Hash64(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

}  // namespace playlake
