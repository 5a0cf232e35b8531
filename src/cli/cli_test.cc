// Runs the real `playlake` binary and checks what a user sees.
#include <gtest/gtest.h>

#include "testing/testing.h"

namespace playlake {
namespace {

using testing::RunPlaylake;

TEST(Cli, HelpListsExitCodes) {
  const auto run = RunPlaylake("--help");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.stdout_text.find("Exit codes"), std::string::npos);
}

TEST(Cli, VersionPrintsTheVersion) {
  const auto run = RunPlaylake("--version");
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.stdout_text.find("playlake 0."), std::string::npos);
}

TEST(Cli, BadValueIsAUsageErrorNamingTheFlag) {
  const auto run = RunPlaylake("--log-level loud");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("--log-level"), std::string::npos);
}

TEST(Cli, MissingCommandIsAUsageError) { EXPECT_EQ(RunPlaylake("").exit_code, 2); }

}  // namespace
}  // namespace playlake
