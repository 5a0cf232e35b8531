#include "live/hyper_log_log.h"

#include <gtest/gtest.h>

#include <string>

namespace playlake::live {
namespace {

TEST(HyperLogLog, SmallSetsAreNearlyExact) {
  HyperLogLog sketch;
  EXPECT_EQ(sketch.Estimate(), 0);
  for (int repeat = 0; repeat < 3; ++repeat) {
    for (int i = 0; i < 100; ++i) sketch.Add("listener-" + std::to_string(i));
  }
  EXPECT_NEAR(sketch.Estimate(), 100, 2);
}

TEST(HyperLogLog, LargeSetsAreWithinThreeStandardErrors) {
  for (const int distinct : {20'000, 200'000}) {
    HyperLogLog sketch;
    for (int i = 0; i < distinct; ++i) sketch.Add("user" + std::to_string(i * 7919));
    EXPECT_NEAR(sketch.Estimate(), distinct, 3 * HyperLogLog::kStandardError * distinct)
        << distinct;
  }
}

TEST(HyperLogLog, MergeIsTheUnion) {
  HyperLogLog a, b, both;
  for (int i = 0; i < 30'000; ++i) {
    const std::string value = "u" + std::to_string(i);
    (i < 20'000 ? a : b).Add(value);
    if (i >= 10'000) a.Add(value + "x");  // 20,000 more only in a
    both.Add(value);
    if (i >= 10'000) both.Add(value + "x");
  }
  a.Merge(b);
  EXPECT_EQ(a.Estimate(), both.Estimate());
  EXPECT_NEAR(a.Estimate(), 50'000, 3 * HyperLogLog::kStandardError * 50'000);
}

}  // namespace
}  // namespace playlake::live
