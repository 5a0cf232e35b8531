#include "serve/response_cache.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

TEST(ResponseCache, EqualRequestsShareAnAnswerAndOthersDoNot) {
  ResponseCache cache(8);
  const auto key = ResponseCache::Key("overview", {{"country", "SE"}, {"level", "paid"}});
  EXPECT_FALSE(cache.Find(key, 0));
  cache.Put(key, 0, {{"plays", 42}});
  ASSERT_TRUE(cache.Find(key, 0));
  EXPECT_EQ((*cache.Find(key, 0))["plays"], 42);
  EXPECT_FALSE(cache.Find(ResponseCache::Key("overview", {{"country", "SE"}}), 0));
  EXPECT_FALSE(
      cache.Find(ResponseCache::Key("devices", {{"country", "SE"}, {"level", "paid"}}), 0));
  // A value that looks like two parameters is still one.
  EXPECT_NE(ResponseCache::Key("overview", {{"country", "SE"}, {"level", "paid"}}),
            ResponseCache::Key("overview", {{"country", "SE|5:level4:paid"}}));
}

TEST(ResponseCache, ForgetsTheLeastRecentlyUsedAnswerFirst) {
  ResponseCache cache(2);
  cache.Put("a", 0, 1);
  cache.Put("b", 0, 2);
  ASSERT_TRUE(cache.Find("a", 0));  // "b" is now the least recently used
  cache.Put("c", 0, 3);
  EXPECT_TRUE(cache.Find("a", 0));
  EXPECT_FALSE(cache.Find("b", 0));
  EXPECT_TRUE(cache.Find("c", 0));
}

TEST(ResponseCache, AnswersOfAReplacedBuildAreNeverFound) {
  ResponseCache cache(8);
  cache.Put("a", 0, 1);
  cache.Put("b", 0, 2);
  EXPECT_FALSE(cache.Find("a", 1));  // gold was rebuilt
  cache.Put("a", 1, 10);
  EXPECT_EQ(*cache.Find("a", 1), 10);
  EXPECT_FALSE(cache.Find("b", 1));
  EXPECT_FALSE(cache.Find("b", 0));  // forgotten, not kept for old readers
  cache.Put("b", 0, 2);              // a request that began before the rebuild
  EXPECT_FALSE(cache.Find("b", 1));
  EXPECT_FALSE(cache.Find("b", 0));
}

TEST(ResponseCache, CapacityZeroKeepsNothing) {
  ResponseCache cache(0);
  cache.Put("a", 0, 1);
  EXPECT_FALSE(cache.Find("a", 0));
}

}  // namespace
}  // namespace playlake::serve
