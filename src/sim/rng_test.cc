#include "sim/rng.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "sim/alias_table.h"

namespace playlake::sim {
namespace {

TEST(Rng, SameKeySameStreamDifferentKeyDifferentStream) {
  Rng a(MixKeys(1, 2, 3)), b(MixKeys(1, 2, 3)), c(MixKeys(1, 2, 4));
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.Next();
    EXPECT_EQ(x, b.Next());
    EXPECT_NE(x, c.Next());
  }
}

TEST(Rng, DistributionsHaveTheirMeans) {
  Rng rng(42);
  double uniform = 0, normal = 0, expo = 0, geo = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    uniform += rng.Uniform();
    normal += rng.Normal();
    expo += rng.Exponential(3.0);
    geo += static_cast<double>(rng.Geometric(0.25));
    ASSERT_LT(rng.Below(7), 7u);
  }
  EXPECT_NEAR(uniform / n, 0.5, 0.005);
  EXPECT_NEAR(normal / n, 0.0, 0.01);
  EXPECT_NEAR(expo / n, 3.0, 0.05);
  EXPECT_NEAR(geo / n, 3.0, 0.05);  // (1 - p) / p
}

TEST(Rng, Mix64IsABijectionOnSamples) {
  std::set<uint64_t> seen;
  for (uint64_t i = 0; i < 100000; ++i) seen.insert(Mix64(i));
  EXPECT_EQ(seen.size(), 100000u);
}

TEST(AliasTable, SamplesInProportionAndNeverDrawsZeroWeights) {
  const std::vector<double> weights = {1, 0, 3, 6, 0};
  const AliasTable table(weights);
  Rng rng(7);
  std::vector<int> counts(weights.size());
  const int n = 500000;
  for (int i = 0; i < n; ++i) ++counts[table.Sample(rng)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_EQ(counts[4], 0);
  EXPECT_NEAR(counts[0] / double(n), 0.1, 0.003);
  EXPECT_NEAR(counts[2] / double(n), 0.3, 0.003);
  EXPECT_NEAR(counts[3] / double(n), 0.6, 0.003);
  EXPECT_TRUE(AliasTable(std::vector<double>{0, 0}).empty());
}

}  // namespace
}  // namespace playlake::sim
