#include "live/hyper_log_log.h"

#include <bit>
#include <cmath>

namespace playlake::live {

std::uint64_t HyperLogLog::Hash(std::string_view value) {
  std::uint64_t h = 14695981039346656037ull;
  for (const unsigned char c : value) {
    h ^= c;
    h *= 1099511628211ull;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

void HyperLogLog::AddHash(std::uint64_t hash) {
  const std::size_t index = hash >> (64 - kPrecision);
  // The rank of the first 1 bit in the remaining bits (a sentinel bit bounds it).
  const std::uint64_t rest = (hash << kPrecision) | (std::uint64_t{1} << (kPrecision - 1));
  const auto rank = static_cast<std::uint8_t>(std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

void HyperLogLog::Merge(const HyperLogLog& other) {
  for (std::size_t i = 0; i < kRegisters; ++i) {
    if (other.registers_[i] > registers_[i]) registers_[i] = other.registers_[i];
  }
}

double HyperLogLog::Estimate() const {
  const double m = static_cast<double>(kRegisters);
  double sum = 0;
  int zeros = 0;
  for (const std::uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    if (r == 0) ++zeros;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double raw = alpha * m * m / sum;
  if (raw <= 2.5 * m && zeros > 0) return m * std::log(m / zeros);  // linear counting
  return raw;
}

}  // namespace playlake::live
