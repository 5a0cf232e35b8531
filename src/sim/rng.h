// Random numbers for the simulator: small, fast, seedable and reproducible.
//
// Every random stream is a pure function of (seed, stream key): the same flags
// give the same bytes on every machine and for any thread count. std::mt19937
// and <random> distributions are avoided on purpose: their distributions are
// implementation-defined (libstdc++ and libc++ give different numbers) and
// they are slower than the generator below.
//
// Thread safety: an Rng is a value; give each thread its own.
#pragma once

#include <cmath>
#include <cstdint>

namespace playlake::sim {

// SplitMix64's finaliser: a bijection on 64-bit integers, so distinct inputs
// always give distinct outputs (used for unique ids as well as seeding).
constexpr uint64_t Mix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Derives the key of a sub-stream: MixKeys(seed, 7, day) differs from
// MixKeys(seed, 7, day + 1) and from MixKeys(seed, 8, day).
constexpr uint64_t MixKeys(uint64_t a, uint64_t b, uint64_t c = 0) {
  return Mix64(Mix64(Mix64(a) ^ (b * 0xd1342543de82ef95ULL)) ^ (c * 0xaf251af3b0f025b5ULL));
}

// xoshiro256** (Blackman & Vigna): 256-bit state, passes BigCrush, ~1 ns per
// number. Written from the published algorithm description.
class Rng {
 public:
  explicit Rng(uint64_t key) {
    uint64_t x = key;
    for (auto& word : s_) {
      x += 0x9e3779b97f4a7c15ULL;
      word = Mix64(x);
    }
  }

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Uniform(); }

  // Uniform in [0, n) by Lemire's multiply-shift; the bias is below 2^-32 for
  // the n used here, far under anything a test or analysis can see.
  uint32_t Below(uint32_t n) {
    return static_cast<uint32_t>(((Next() >> 32) * static_cast<uint64_t>(n)) >> 32);
  }
  // Modulo bias is n / 2^64: invisible for the ranges used (ms in a day).
  uint64_t Below64(uint64_t n) { return Next() % n; }

  bool Chance(double p) { return Uniform() < p; }

  // Standard normal by Box-Muller (one value per call; the pair's second half
  // is dropped to keep the generator stateless beyond its 256 bits).
  double Normal() {
    const double u1 = 1.0 - Uniform();  // (0, 1]
    const double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  double Normal(double mean, double sd) { return mean + sd * Normal(); }

  double Exponential(double mean) { return -mean * std::log(1.0 - Uniform()); }

  // Number of failures before the first success, success probability p.
  uint64_t Geometric(double p) {
    if (p >= 1.0) return 0;
    if (p <= 0.0) return UINT64_MAX;
    const double g = std::floor(std::log(1.0 - Uniform()) / std::log1p(-p));
    return g >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(g);
  }

  // Poisson by inversion for small means, normal approximation above 30.
  uint32_t Poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean > 30) {
      const double v = std::round(Normal(mean, std::sqrt(mean)));
      return v < 0 ? 0 : static_cast<uint32_t>(v);
    }
    const double limit = std::exp(-mean);
    double product = Uniform();
    uint32_t k = 0;
    while (product > limit) {
      product *= Uniform();
      ++k;
    }
    return k;
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

inline double Clamp01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

}  // namespace playlake::sim
