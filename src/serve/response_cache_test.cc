#include "serve/response_cache.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

TEST(ResponseCache, EqualRequestsShareAnAnswerAndOthersDoNot) {
  ResponseCache cache(8);
  const auto key = ResponseCache::Key("overview", {{"country", "SE"}, {"level", "paid"}});
  EXPECT_FALSE(cache.Find(key));
  cache.Put(key, {{"plays", 42}});
  ASSERT_TRUE(cache.Find(key));
  EXPECT_EQ((*cache.Find(key))["plays"], 42);
  EXPECT_FALSE(cache.Find(ResponseCache::Key("overview", {{"country", "SE"}})));
  EXPECT_FALSE(cache.Find(ResponseCache::Key("devices", {{"country", "SE"}, {"level", "paid"}})));
  // A value that looks like two parameters is still one.
  EXPECT_NE(ResponseCache::Key("overview", {{"country", "SE"}, {"level", "paid"}}),
            ResponseCache::Key("overview", {{"country", "SE|5:level4:paid"}}));
}

TEST(ResponseCache, ForgetsTheLeastRecentlyUsedAnswerFirst) {
  ResponseCache cache(2);
  cache.Put("a", 1);
  cache.Put("b", 2);
  ASSERT_TRUE(cache.Find("a"));  // "b" is now the least recently used
  cache.Put("c", 3);
  EXPECT_TRUE(cache.Find("a"));
  EXPECT_FALSE(cache.Find("b"));
  EXPECT_TRUE(cache.Find("c"));
}

TEST(ResponseCache, CapacityZeroKeepsNothing) {
  ResponseCache cache(0);
  cache.Put("a", 1);
  EXPECT_FALSE(cache.Find("a"));
}

}  // namespace
}  // namespace playlake::serve
