#include "sim/alias_table.h"

#include <cmath>

namespace playlake::sim {

AliasTable::AliasTable(std::span<const double> weights) {
  const size_t n = weights.size();
  double total = 0;
  for (double w : weights) total += w;
  if (n == 0 || !(total > 0)) return;

  // Vose's method: scaled probabilities split into "small" (< 1) and "large".
  std::vector<double> scaled(n);
  std::vector<uint32_t> small, large;
  small.reserve(n);
  large.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    scaled[i] = weights[i] * static_cast<double>(n) / total;
    (scaled[i] < 1.0 ? small : large).push_back(static_cast<uint32_t>(i));
  }
  slots_.assign(n, Slot{0, 0});
  auto threshold = [](double p) -> uint32_t {
    const double t = std::floor(p * 4294967296.0);
    return t >= 4294967295.0 ? 0xffffffffu : static_cast<uint32_t>(t);
  };
  while (!small.empty() && !large.empty()) {
    const uint32_t s = small.back();
    small.pop_back();
    const uint32_t l = large.back();
    slots_[s] = Slot{threshold(scaled[s]), l};
    scaled[l] = (scaled[l] + scaled[s]) - 1.0;
    if (scaled[l] < 1.0) {
      large.pop_back();
      small.push_back(l);
    }
  }
  // What is left has probability 1 up to rounding: always keep the column.
  for (uint32_t i : large) slots_[i] = Slot{0xffffffffu, i};
  // A zero weight left here by rounding must still never be drawn.
  uint32_t positive = 0;
  while (!(weights[positive] > 0)) ++positive;
  for (uint32_t i : small) {
    slots_[i] = weights[i] > 0 ? Slot{0xffffffffu, i} : Slot{0, positive};
  }
}

}  // namespace playlake::sim
