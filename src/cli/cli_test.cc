// Runs the real `playlake` binary and checks what a user sees.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/project.h"
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

TEST(Cli, InitCreatesAValidProjectAndRefusesToOverwrite) {
  testing::TempDir dir;
  const auto project = dir / "radio";
  auto run = RunPlaylake("init " + project.string());
  ASSERT_EQ(run.exit_code, 0) << run.stderr_text;
  auto config = config::LoadProject(project);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->name, "radio");
  EXPECT_EQ(config->lake, project / "lake");
  ASSERT_EQ(config->sources.size(), 1u);
  EXPECT_TRUE(std::filesystem::is_directory(project / "data" / "events"));

  run = RunPlaylake("init " + project.string());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("--force"), std::string::npos);
  EXPECT_EQ(RunPlaylake("init --force " + project.string()).exit_code, 0);
}

TEST(Cli, BadProjectFileExits3NamingTheKeyOrLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"sources:\n  - name: a\n    path: [[a]]\n", "sources[0].path[0]"},
      {"name: a\nthreads: 2\nname: b\n", "playlake.yml:3: key 'name' is given twice"},
      {"name: \"radio\nthreads: 2\n", "playlake.yml:1: the quote"},
  };
  for (const auto& [yaml, expected] : cases) {
    testing::TempDir dir;
    std::ofstream(dir / "playlake.yml") << yaml;
    const auto run = RunPlaylake("sql 'SELECT 1' --project " + dir.path().string());
    EXPECT_EQ(run.exit_code, 3) << yaml << run.stderr_text;
    EXPECT_NE(run.stderr_text.find(expected), std::string::npos) << run.stderr_text;
  }
  testing::TempDir dir;
  std::filesystem::create_directories(dir / "playlake.yml");
  const auto run = RunPlaylake("sql 'SELECT 1' --project " + dir.path().string());
  EXPECT_EQ(run.exit_code, 3) << run.stderr_text;
  EXPECT_NE(run.stderr_text.find("playlake.yml is not a file"), std::string::npos)
      << run.stderr_text;
}

TEST(Cli, EveryCommandHasHelp) {
  const auto help = RunPlaylake("--help").stdout_text;
  const auto start = help.find("Subcommands:");
  ASSERT_NE(start, std::string::npos) << help;
  std::istringstream lines(help.substr(start));
  std::string line;
  std::getline(lines, line);
  int commands = 0;
  while (std::getline(lines, line)) {
    // A command line is indented by two spaces; wrapped descriptions by more.
    if (line.size() < 3 || line.compare(0, 2, "  ") != 0 || line[2] == ' ') continue;
    std::istringstream words(line);
    std::string name;
    if (!(words >> name)) continue;
    const auto run = RunPlaylake(name + " --help");
    EXPECT_EQ(run.exit_code, 0) << name;
    EXPECT_NE(run.stdout_text.find("Usage"), std::string::npos) << name << ": " << run.stdout_text;
    ++commands;
  }
  EXPECT_GE(commands, 11);
}

}  // namespace
}  // namespace playlake
