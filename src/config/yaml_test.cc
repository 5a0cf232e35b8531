#include "config/yaml.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace playlake::config {
namespace {

std::string ErrorOf(const std::string& text) {
  auto doc = ParseYaml(text, "f.yml");
  if (doc) return "(parsed)";
  EXPECT_EQ(doc.error().code, ErrorCode::kConfig);
  return doc.error().message;
}

TEST(Yaml, KeyGivenTwiceNamesItsLines) {
  EXPECT_EQ(ErrorOf("name: a\nlake: x\nname: b\n"),
            "f.yml:3: key 'name' is given twice (first on line 1); keep one");
  EXPECT_EQ(ErrorOf("server: {port: 1, port: 2}\n"),
            "f.yml:1: key 'port' is given twice (first on line 1); keep one");
  EXPECT_EQ(ErrorOf("sources:\n  - name: a\n    name: b\n"),
            "f.yml:3: key 'name' is given twice (first on line 2); keep one");
}

TEST(Yaml, UnterminatedQuoteNamesItsLine) {
  EXPECT_EQ(ErrorOf("lake: x\nname: \"radio\nthreads: 2\n"),
            "f.yml:2: the quote (\") opened here is never closed");
  EXPECT_EQ(ErrorOf("name: 'radio\n"), "f.yml:1: the quote (') opened here is never closed");
}

TEST(Yaml, ClosedQuotesAndEscapesParse) {
  auto doc = ParseYaml("a: \"x \\\" y\"\nb: 'it''s'\nc: \"two\n  lines\"\nd: say \"hi\n", "f.yml");
  ASSERT_TRUE(doc.has_value()) << doc.error().message;
  EXPECT_EQ((*doc)["a"].Scalar(), "x \" y");
  EXPECT_EQ((*doc)["b"].Scalar(), "it's");
  EXPECT_EQ((*doc)["c"].Scalar(), "two lines");
  EXPECT_EQ((*doc)["d"].Scalar(), "say \"hi");  // a quote inside a plain value is text
}

TEST(Yaml, SyntaxErrorNamesTheLine) {
  EXPECT_EQ(ErrorOf("a: 1\nb: [1, 2\n").rfind("f.yml:", 0), 0u);
}

TEST(Yaml, FolderIsAnErrorNotAnEmptyFile) {
  const auto dir = std::filesystem::temp_directory_path() / "playlake-yaml-test.yml";
  std::filesystem::create_directories(dir);
  auto text = ReadYamlText(dir.string());
  std::filesystem::remove(dir);
  ASSERT_FALSE(text.has_value());
  EXPECT_EQ(text.error().code, ErrorCode::kConfig);
  EXPECT_NE(text.error().message.find("is not a file"), std::string::npos);
}

TEST(Yaml, GuardTurnsAThrowIntoAnError) {
  auto doc = ParseYaml("a:\n  - [1, 2]\n", "f.yml");
  ASSERT_TRUE(doc.has_value());
  Result<std::string> read =
      GuardYaml("f.yml", [&]() -> Result<std::string> { return (*doc)["a"][0].as<std::string>(); });
  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kConfig);
  EXPECT_EQ(read.error().message.rfind("f.yml:2: ", 0), 0u) << read.error().message;
}

}  // namespace
}  // namespace playlake::config
