#include "spotify/secrets.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "testing/testing.h"

namespace playlake::spotify {
namespace {

TEST(SpotifySecrets, SavedOwnerOnlyIgnoredByGitAndReadBack) {
  playlake::testing::TempDir project;
  const SpotifySecrets saved{"user", "client-1", "refresh-secret-1", "user-top-read"};
  ASSERT_TRUE(SaveSpotifySecrets(project.path(), saved));
  struct stat info {};
  ASSERT_EQ(::stat(SecretsPath(project.path()).c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  EXPECT_EQ(playlake::testing::ReadFile(project / ".gitignore"), "/secrets.json\n");
  Result<SpotifySecrets> loaded = LoadSpotifySecrets(project.path());
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->refresh_token, "refresh-secret-1");
  EXPECT_EQ(loaded->client_id, "client-1");
  EXPECT_EQ(loaded->mode, "user");
}

TEST(SpotifySecrets, KeepsOtherKeysAndTheGitignoreLinesOnce) {
  playlake::testing::TempDir project;
  {
    std::ofstream(project / ".gitignore") << "lake/\nwarehouse.duckdb";
    std::ofstream(project / "secrets.json") << R"({"other": {"k": "v"}})";
  }
  ASSERT_TRUE(SaveSpotifySecrets(project.path(), {"app", "client-2", "", ""}));
  ASSERT_TRUE(SaveSpotifySecrets(project.path(), {"app", "client-3", "", ""}));
  EXPECT_EQ(playlake::testing::ReadFile(project / ".gitignore"),
            "lake/\nwarehouse.duckdb\n/secrets.json\n");
  const std::string text = playlake::testing::ReadFile(project / "secrets.json");
  EXPECT_NE(text.find("\"other\""), std::string::npos) << text;
  Result<SpotifySecrets> loaded = LoadSpotifySecrets(project.path());
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_EQ(loaded->client_id, "client-3");
}

TEST(SpotifySecrets, NoLoginSaysToLogIn) {
  playlake::testing::TempDir project;
  Result<SpotifySecrets> loaded = LoadSpotifySecrets(project.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
  EXPECT_NE(loaded.error().message.find("playlake spotify login"), std::string::npos);
}

TEST(SpotifySecrets, AMalformedFileIsAConfigErrorNamingIt) {
  playlake::testing::TempDir project;
  std::ofstream(project / "secrets.json") << "{not json";
  Result<SpotifySecrets> loaded = LoadSpotifySecrets(project.path());
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kConfig);
  EXPECT_NE(loaded.error().message.find("secrets.json"), std::string::npos);
}

}  // namespace
}  // namespace playlake::spotify
