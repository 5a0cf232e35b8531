#include "sources/privacy.h"

#include <gtest/gtest.h>

#include <string>

namespace playlake::sources {
namespace {

// Two rows as extended exports write them: pretty-printed, then minified.
const std::string kRows =
    "[\n  {\n    \"ts\": \"2023-02-25T11:20:37Z\",\n    \"ip_addr\": \"203.0.113.77\",\n"
    "    \"conn_country\": \"IN\",\n    \"ip_addr_decrypted\" : \"2001:db8::\\\"1\",\n"
    "    \"note\": \"ip_addr\",\n    \"ms_played\": 1\n  },\n"
    "{\"ts\":\"2023-02-25T11:21:49Z\",\"ip_addr\":null,\"ip_addr_decrypted\":\"198.51.100.4\"}\n]"
    "\n";

std::string Redacted(const std::string& text, std::size_t cut) {
  std::string out = text;
  IpRedactor redactor;
  redactor.Apply(out.data(), cut);
  redactor.Apply(out.data() + cut, out.size() - cut);
  EXPECT_EQ(redactor.redacted(), 3u);
  return out;
}

TEST(IpRedactor, MasksIpValuesAndNothingElseWhereverTheStreamIsCut) {
  std::string expected = kRows;
  for (const std::string ip : {"203.0.113.77", "2001:db8::\\\"1", "198.51.100.4"}) {
    const std::size_t at = expected.find(ip);
    ASSERT_NE(at, std::string::npos);
    expected.replace(at, ip.size(), std::string(ip.size(), '*'));
  }
  for (std::size_t cut = 0; cut <= kRows.size(); ++cut) {
    const std::string got = Redacted(kRows, cut);
    ASSERT_EQ(got, expected) << "cut at " << cut;
  }
  // Same length and lines: bronze offsets and line numbers stay the input's.
  EXPECT_EQ(expected.size(), kRows.size());
  EXPECT_NE(expected.find("\"note\": \"ip_addr\""), std::string::npos);
  EXPECT_NE(expected.find("\"conn_country\": \"IN\""), std::string::npos);
}

TEST(IpRedactor, PersonalFieldsAreNamedByTheirKey) {
  EXPECT_TRUE(IsIpAddressField("ip_addr"));
  EXPECT_TRUE(IsIpAddressField("ip_addr_decrypted"));
  EXPECT_FALSE(IsIpAddressField("conn_country"));
  EXPECT_TRUE(IsPersonalField("ip_addr_decrypted"));
  EXPECT_TRUE(IsPersonalField("email"));
  EXPECT_FALSE(IsPersonalField("platform"));
}

}  // namespace
}  // namespace playlake::sources
