#include "serve/http_checks.h"

#include <gtest/gtest.h>

namespace playlake::serve {
namespace {

TEST(HttpChecks, Utf8IsCheckedAsRfc3629DefinesIt) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("Göteborg"));
  EXPECT_TRUE(IsValidUtf8("東京"));
  EXPECT_TRUE(IsValidUtf8("\xF0\x9F\x8E\xB5"));   // U+1F3B5, a musical note
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));          // a lead byte without its continuation
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // cut short
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
}

TEST(HttpChecks, TokensMatchOnlyWhenEqual) {
  EXPECT_TRUE(SameToken("s3cret", "s3cret"));
  EXPECT_FALSE(SameToken("s3cre", "s3cret"));
  EXPECT_FALSE(SameToken("s3cret!", "s3cret"));
  EXPECT_FALSE(SameToken("S3cret", "s3cret"));
  EXPECT_FALSE(SameToken("", "s3cret"));
  EXPECT_FALSE(SameToken("", ""));  // no token configured is not a token that matches
}

TEST(HttpChecks, HostNameDropsThePortAndCase) {
  EXPECT_EQ(HostName("Example.COM:8080"), "example.com");
  EXPECT_EQ(HostName("localhost"), "localhost");
  EXPECT_EQ(HostName("[::1]:8080"), "::1");
  EXPECT_EQ(HostName("[::1]"), "::1");
  EXPECT_EQ(HostName("::1"), "::1");
}

TEST(HttpChecks, ListenAddressesAreResolvedNotRead) {
  auto loopback = ResolveListenAddress("127.0.0.1", 8080);
  ASSERT_TRUE(loopback.has_value()) << loopback.error().message;
  EXPECT_TRUE(loopback->loopback);
  EXPECT_FALSE(loopback->wildcard);
  auto any = ResolveListenAddress("0.0.0.0", 8080);
  ASSERT_TRUE(any.has_value());
  EXPECT_FALSE(any->loopback);
  EXPECT_TRUE(any->wildcard);
  auto unresolved = ResolveListenAddress("127.0.0.1.invalid", 8080);
  ASSERT_FALSE(unresolved.has_value());
  EXPECT_NE(unresolved.error().message.find("127.0.0.1.invalid"), std::string::npos);
}

}  // namespace
}  // namespace playlake::serve
