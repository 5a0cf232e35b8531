#include "spotify/test_lake.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "lake/lake.h"
#include "lake/zstd_stream.h"
#include "spotify/secrets.h"
#include "warehouse/duckdb.h"

namespace playlake::spotify::testing {

void WriteSpotifyProject(const std::filesystem::path& dir, FakeSpotifyApi& fake,
                         const std::string& pulls, bool enrichment) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "playlake.yml") << fmt::format(
      "name: t\nsources:\n  - name: me\n    spotify_api:\n      pulls: {}\n      enrichment: "
      "{}\n      api_base: {}\n      accounts_base: {}\n      concurrency: 2\n",
      pulls, enrichment, fake.api_base(), fake.accounts_base());
  ASSERT_TRUE(SaveSpotifySecrets(dir, {"user", FakeSpotifyApi::kClientId, fake.IssueRefreshToken(),
                                       "user-read-recently-played"}));
}

KeyCount CountSilver(const std::filesystem::path& lake_root, const std::string& table,
                     const std::string& key) {
  auto lake = lake::Lake::OpenLocal(lake_root, {});
  EXPECT_TRUE(lake.has_value());
  if (!lake) return {};
  auto files = (*lake)->CommittedFiles("silver", table);
  EXPECT_TRUE(files.has_value());
  if (!files || files->empty()) return {};
  std::string list;
  for (const auto& file : *files) {
    list += fmt::format("{}'{}'", list.empty() ? "" : ", ", (*lake)->storage().Url(file.key));
  }
  auto db = warehouse::Database::Open(":memory:");
  auto conn = (*db)->Connect();
  auto counts = (*conn)->Query(
      fmt::format("SELECT count(*), count(DISTINCT ({})) FROM read_parquet([{}])", key, list));
  EXPECT_TRUE(counts.has_value()) << counts.error().message;
  if (!counts) return {};
  return {std::stoll(*counts->rows[0][0]), std::stoll(*counts->rows[0][1])};
}

std::string AllText(const std::filesystem::path& root) {
  std::string text;
  auto db = warehouse::Database::Open(":memory:");
  EXPECT_TRUE(db.has_value());
  if (!db) return text;
  auto conn = (*db)->Connect();
  EXPECT_TRUE(conn.has_value());
  if (!conn) return text;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    if (entry.path().extension() == ".parquet") {  // its pages are compressed: its rows
      auto rows = (*conn)->QueryScalar(
          fmt::format("SELECT string_agg(t::VARCHAR, '\n') FROM read_parquet({}) t",
                      warehouse::QuoteLiteral(entry.path().string())));
      EXPECT_TRUE(rows.has_value()) << entry.path() << ": " << rows.error().message;
      if (rows) text += *rows + '\n';
      continue;
    }
    auto file = lake::OpenLocalFile(entry.path());
    if (!file) continue;
    std::unique_ptr<lake::ReadableFile> reader = std::move(*file);
    if (entry.path().extension() == ".zst") {
      reader = std::make_unique<lake::ZstdReader>(std::move(reader));
    }
    char buffer[1 << 16];
    while (true) {
      auto n = reader->Read(buffer, sizeof buffer);
      if (!n || *n == 0) break;
      text.append(buffer, *n);
    }
  }
  return text;
}

std::vector<std::string> ReceivedTokens(const FakeSpotifyApi& fake) {
  static const std::regex kToken("fake-(access|refresh)-[0-9]+-[A-Za-z0-9_-]+");
  std::set<std::string> tokens;
  for (const std::string& line : fake.Received()) {
    for (auto it = std::sregex_iterator(line.begin(), line.end(), kToken);
         it != std::sregex_iterator(); ++it) {
      tokens.insert(it->str());
    }
  }
  return {tokens.begin(), tokens.end()};
}

}  // namespace playlake::spotify::testing
