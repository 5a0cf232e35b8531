#include "s3/sigv4.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace playlake::s3 {
namespace {

namespace fs = std::filesystem;
const fs::path kVectors = PLAYLAKE_SIGV4_VECTORS;

std::string Read(const fs::path& path) { return playlake::testing::ReadFile(path); }

std::string PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// request.txt: "METHOD target HTTP/1.1", header lines (a line starting with
// white space continues the previous value), a blank line, the body.
HttpRequest ParseRequest(const std::string& text) {
  HttpRequest request;
  const std::size_t head_end = text.find("\n\n");
  const std::string head = text.substr(0, head_end);
  const std::string body = head_end == std::string::npos ? "" : text.substr(head_end + 2);
  std::size_t line_end = head.find('\n');
  const std::string first = head.substr(0, line_end);
  request.method = first.substr(0, first.find(' '));
  const std::string target =
      first.substr(request.method.size() + 1, first.rfind(' ') - request.method.size() - 1);
  const std::size_t question = target.find('?');
  request.path = PercentDecode(target.substr(0, question));
  if (question != std::string::npos) {
    std::string_view query = std::string_view(target).substr(question + 1);
    while (!query.empty()) {
      const std::string_view pair = query.substr(0, query.find('&'));
      const std::size_t equals = pair.find('=');
      request.query.emplace_back(
          PercentDecode(pair.substr(0, equals)),
          equals == std::string_view::npos ? "" : PercentDecode(pair.substr(equals + 1)));
      query.remove_prefix(std::min(query.size(), pair.size() + 1));
    }
  }
  while (line_end != std::string::npos) {
    const std::size_t next = head.find('\n', line_end + 1);
    const std::string line = head.substr(line_end + 1, next - line_end - 1);
    if (line.empty()) {
      // the end of a request without a body
    } else if (line.starts_with(' ') || line.starts_with('\t')) {
      request.headers.back().second += "\n" + line;
    } else {
      const std::size_t colon = line.find(':');
      request.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
    line_end = next;
  }
  request.payload_hash = Sha256Hex(body);
  return request;
}

struct Case {
  HttpRequest request;
  Credentials credentials;
  SigningOptions options;
  std::chrono::seconds expires{0};
};

Case LoadCase(const fs::path& dir) {
  const auto context = nlohmann::json::parse(Read(dir / "context.json"));
  Case c;
  c.request = ParseRequest(Read(dir / "request.txt"));
  const auto& credentials = context["credentials"];
  c.credentials = {credentials["access_key_id"], credentials["secret_access_key"],
                   credentials.value("token", "")};
  int year, month, day, hour, minute, second;
  EXPECT_EQ(std::sscanf(context["timestamp"].get<std::string>().c_str(), "%d-%d-%dT%d:%d:%dZ",
                        &year, &month, &day, &hour, &minute, &second),
            6);
  c.options.region = context["region"];
  c.options.service = context["service"];
  c.options.time = std::chrono::sys_days(std::chrono::year(year) / month / day) +
                   std::chrono::hours(hour) + std::chrono::minutes(minute) +
                   std::chrono::seconds(second);
  c.options.normalize_path = context["normalize"];
  c.options.sign_content_sha256 = context["sign_body"];
  c.options.sign_session_token = !context.value("omit_session_token", false);
  c.expires = std::chrono::seconds(context["expiration_in_seconds"].get<int>());
  return c;
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(kVectors, error)) {
    if (entry.is_directory()) names.push_back(entry.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The value of the Authorization line of a signed request.
std::string AuthorizationOf(const std::string& signed_request) {
  const std::string prefix = "\nAuthorization:";
  const std::size_t at = signed_request.find(prefix);
  if (at == std::string::npos) return "";
  const std::size_t start = at + prefix.size();
  return signed_request.substr(start, signed_request.find('\n', start) - start);
}

class SigV4Vector : public ::testing::TestWithParam<std::string> {};

TEST_P(SigV4Vector, HeaderSigningMatchesAws) {
  const fs::path dir = kVectors / GetParam();
  Case c = LoadCase(dir);
  const Signature signature = SignWithHeaders(c.request, c.credentials, c.options);
  EXPECT_EQ(signature.canonical_request, Read(dir / "header-canonical-request.txt"));
  EXPECT_EQ(signature.string_to_sign, Read(dir / "header-string-to-sign.txt"));
  EXPECT_EQ(signature.signature, Read(dir / "header-signature.txt"));
  const auto authorization =
      std::find_if(c.request.headers.begin(), c.request.headers.end(),
                   [](const auto& header) { return header.first == "Authorization"; });
  ASSERT_NE(authorization, c.request.headers.end());
  EXPECT_EQ(authorization->second, AuthorizationOf(Read(dir / "header-signed-request.txt")));
}

TEST_P(SigV4Vector, QuerySigningMatchesAws) {
  const fs::path dir = kVectors / GetParam();
  Case c = LoadCase(dir);
  const Signature signature = Presign(c.request, c.credentials, c.options, c.expires);
  EXPECT_EQ(signature.canonical_request, Read(dir / "query-canonical-request.txt"));
  EXPECT_EQ(signature.string_to_sign, Read(dir / "query-string-to-sign.txt"));
  EXPECT_EQ(signature.signature, Read(dir / "query-signature.txt"));
  EXPECT_EQ(c.request.query.back(),
            (std::pair<std::string, std::string>("X-Amz-Signature", signature.signature)));
}

INSTANTIATE_TEST_SUITE_P(Aws, SigV4Vector, ::testing::ValuesIn(CaseNames()),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(SigV4, EveryPublishedCaseIsHere) {
  // The suite as published: 38 cases (a missing folder would drop cases silently).
  EXPECT_EQ(CaseNames().size(), 38u) << "vectors in " << kVectors;
}

TEST(SigV4, S3KeysAreEncodedOnceAndNotNormalizedAndTheTargetIsWhatWasSigned) {
  HttpRequest request{"GET",
                      "/bucket/silver/plays/dt=2026-12-05/a b+c//./ሴ.parquet",
                      {{"list-type", "2"}, {"prefix", "silver/plays/"}},
                      {{"Host", "127.0.0.1:9000"}},
                      "UNSIGNED-PAYLOAD"};
  SigningOptions options{.region = "us-east-1",
                         .service = "s3",
                         .time = std::chrono::sys_days(std::chrono::year(2026) / 12 / 5)};
  const Signature signature = SignWithHeaders(request, {"AKIDEXAMPLE", "secret", ""}, options);
  const std::string target = RequestTarget(request, options);
  EXPECT_EQ(target,
            "/bucket/silver/plays/dt%3D2026-12-05/a%20b%2Bc//./%E1%88%B4.parquet"
            "?list-type=2&prefix=silver%2Fplays%2F");
  // The canonical request holds exactly the path and query that are sent.
  EXPECT_EQ(signature.canonical_request.substr(0, signature.canonical_request.find('\n', 4)),
            "GET\n" + target.substr(0, target.find('?')));
}

}  // namespace
}  // namespace playlake::s3
