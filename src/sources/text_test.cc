#include "sources/text.h"

#include <gtest/gtest.h>

namespace playlake::sources {
namespace {

TEST(Text, RepairsSparkifyDoubleMojibake) {
  // What JSON's "Bj\u00c3\u0083\u00c2\u00b6rk" unescapes to.
  const std::string sparkify = "Bj\xC3\x83\xC2\x83\xC3\x82\xC2\xB6rk";
  std::string out;
  ASSERT_TRUE(RepairDoubleEncoding(sparkify, out));
  EXPECT_EQ(out, "Bj\xC3\xB6rk");
}

TEST(Text, RepairsSingleMojibake) {
  std::string out;
  ASSERT_TRUE(RepairDoubleEncoding("Beyonc\xC3\x83\xC2\xA9", out));
  EXPECT_EQ(out, "Beyonc\xC3\xA9");
}

TEST(Text, LeavesCorrectTextAlone) {
  std::string out;
  EXPECT_FALSE(RepairDoubleEncoding("Caf\xC3\xA9", out));        // "Café"
  EXPECT_FALSE(RepairDoubleEncoding("Bj\xC3\xB6rk", out));       // "Björk"
  EXPECT_FALSE(RepairDoubleEncoding("plain ascii", out));
  EXPECT_FALSE(RepairDoubleEncoding("\xE6\x9D\xB1\xE4\xBA\xAC", out));  // 東京
}

TEST(Text, ReplacesInvalidUtf8) {
  std::string cut = "field 'ts': 'xx\xC3' is not RFC 3339";  // "é" cut after its first byte
  ReplaceInvalidUtf8(cut);
  EXPECT_EQ(cut, "field 'ts': 'xx\xEF\xBF\xBD' is not RFC 3339");
  EXPECT_TRUE(IsValidUtf8(cut));
  std::string latin1 = "Mot\xF6rhead \xE6\x9D";  // Latin-1 ö, then 東 cut short
  ReplaceInvalidUtf8(latin1);
  EXPECT_EQ(latin1, "Mot\xEF\xBF\xBDrhead \xEF\xBF\xBD\xEF\xBF\xBD");
  std::string fine = "Bj\xC3\xB6rk";
  ReplaceInvalidUtf8(fine);
  EXPECT_EQ(fine, "Bj\xC3\xB6rk");
}

TEST(Text, ValidatesUtf8) {
  EXPECT_TRUE(IsValidUtf8("Bj\xC3\xB6rk"));
  EXPECT_FALSE(IsValidUtf8("Bj\xF6rk"));          // Latin-1 byte
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));          // truncated
}

TEST(Text, TrimsAndStripsQuotes) {
  EXPECT_EQ(Trim("  a b \t\r\n"), "a b");
  EXPECT_EQ(Trim("   "), "");
  EXPECT_EQ(StripQuotes("\"Mozilla/5.0\""), "Mozilla/5.0");
  EXPECT_EQ(StripQuotes("Mozilla/5.0"), "Mozilla/5.0");
  EXPECT_EQ(StripQuotes("\""), "\"");
}

}  // namespace
}  // namespace playlake::sources
