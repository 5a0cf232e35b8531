#include "common/hash.h"

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace playlake {
namespace {

// Expected digests computed with xxhsum 0.8.1 (-H2 for XXH3-128, -H3 for
// XXH3-64), an implementation independent of this code's use of libxxhash.
TEST(Hash, MatchesTheReferenceDigests) {
  EXPECT_EQ(Hash128Hex(""), "99aa06d3014798d86001c324468d497f");
  EXPECT_EQ(Hash128Hex("hello world"), "df8d09e93f874900a99b8775cc15b6c7");
  EXPECT_EQ(Hash64(""), 0x2d06800538d394c2u);
  EXPECT_EQ(Hash64("hello world"), 0xd447b1ea40e6988bu);
}

TEST(Hash, HexToWritesTheSameDigitsAsHex) {
  using namespace std::string_view_literals;
  for (std::string_view text : {""sv, "hello world"sv, "a\0b"sv}) {
    char out[32];
    Hash128HexTo(text, out);
    EXPECT_EQ(std::string(out, sizeof out), Hash128Hex(text));
  }
}

TEST(Checksum, StreamedInPiecesEqualsTheWholeFileDigest) {
  const std::string text =
      testing::ReadFile(testing::RealData() / "sparkify/log_data/2018/11/2018-11-01-events.json");
  ASSERT_EQ(text.size(), 7151u);
  Checksum sum;
  for (std::size_t at = 0; at < text.size(); at += 1000)
    sum.Update(std::string_view(text).substr(at, 1000));
  EXPECT_EQ(sum.Hex(), "70bdf164c0ee0a0328c65aa9029a37b0");  // xxhsum -H2 of the file
  EXPECT_EQ(sum.Hex(), Hash128Hex(text));
}

TEST(Checksum, HexMayBeReadBeforeMoreUpdates) {
  Checksum sum;
  sum.Update("hello ");
  EXPECT_EQ(sum.Hex(), Hash128Hex("hello "));
  sum.Update("world");
  EXPECT_EQ(sum.Hex(), "df8d09e93f874900a99b8775cc15b6c7");
}

}  // namespace
}  // namespace playlake
