#include "common/atomic_file.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <vector>

#include "testing/testing.h"

namespace playlake {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::TempDir;

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().filename());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(AtomicFile, TargetKeepsItsOldContentUntilCommit) {
  TempDir dir;
  const fs::path file = dir / "status.json";
  std::ofstream(file) << "old";
  auto writer = AtomicFile::Create(file);
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->Append("new "));
  ASSERT_TRUE((*writer)->Append("content"));
  EXPECT_EQ(ReadFile(file), "old");
  // The temporary is a dot file beside the target.
  EXPECT_EQ((*writer)->temp_path().parent_path(), dir.path());
  EXPECT_TRUE((*writer)->temp_path().filename().string().starts_with(".status.json.tmp-"));
  EXPECT_TRUE(fs::exists((*writer)->temp_path()));
  ASSERT_TRUE((*writer)->Commit());
  EXPECT_EQ(ReadFile(file), "new content");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"status.json"});
}

TEST(AtomicFile, DestroyedBeforeCommitLeavesNothingBehind) {
  TempDir dir;
  const fs::path file = dir / "runs.json";
  std::ofstream(file) << "kept";
  {
    auto writer = AtomicFile::Create(file, Durability::kAtomicOnly);
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->Append("half a recor"));
  }
  EXPECT_EQ(ReadFile(file), "kept");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"runs.json"});
}

TEST(AtomicFile, KilledWriterLeavesTheTargetWhole) {
  TempDir dir;
  const fs::path file = dir / "artists.jsonl";
  std::ofstream(file) << "{\"artist_id\":\"a1\"}\n";
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto writer = AtomicFile::Create(file);
    if (writer) (void)(*writer)->Append("{\"artist_id\":\"a2\"");
    ::kill(::getpid(), SIGKILL);  // mid-write, before Commit
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(ReadFile(file), "{\"artist_id\":\"a1\"}\n");
  // What the killed writer left is its hidden temporary, never the target.
  const auto names = Names(dir.path());
  ASSERT_EQ(names.size(), 2u);
  EXPECT_TRUE(names[0].starts_with(".artists.jsonl.tmp-"));
  EXPECT_EQ(names[1], "artists.jsonl");
}

TEST(AtomicFile, AppendPartsWritesManyPartsInOrder) {
  TempDir dir;
  std::vector<std::string> lines;
  std::string expected;
  for (int i = 0; i < 3000; ++i) {  // more than one writev(2) of 1,024 parts
    lines.push_back(std::to_string(i) + (i % 7 == 0 ? "" : "\n"));
    expected += lines.back();
  }
  std::vector<std::string_view> parts(lines.begin(), lines.end());
  auto writer = AtomicFile::Create(dir / "events.jsonl");
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->AppendParts(parts));
  ASSERT_TRUE((*writer)->Commit());
  EXPECT_EQ(ReadFile(dir / "events.jsonl"), expected);
}

TEST(AtomicFile, CommitIfAbsentNeverReplaces) {
  TempDir dir;
  const fs::path file = dir / "b1.json";
  auto first = AtomicFile::Create(file);
  ASSERT_TRUE(first);
  ASSERT_TRUE((*first)->Append("one"));
  auto second = AtomicFile::Create(file);
  ASSERT_TRUE(second);
  ASSERT_TRUE((*second)->Append("two"));
  auto won = (*first)->CommitIfAbsent();
  ASSERT_TRUE(won);
  EXPECT_TRUE(*won);
  auto lost = (*second)->CommitIfAbsent();
  ASSERT_TRUE(lost);
  EXPECT_FALSE(*lost);
  EXPECT_EQ(ReadFile(file), "one");
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"b1.json"});
}

TEST(AtomicFile, CreateInAMissingFolderNamesIt) {
  TempDir dir;
  auto writer = AtomicFile::Create(dir / "no" / "such" / "file.json");
  ASSERT_FALSE(writer);
  EXPECT_EQ(writer.error().code, ErrorCode::kNotFound);
  EXPECT_NE(writer.error().message.find((dir / "no" / "such").string()), std::string::npos);
}

TEST(WriteFileAtomically, CreatesFoldersAndReplacesTheWholeFile) {
  TempDir dir;
  const fs::path file = dir / "target" / "docs" / "manifest.json";
  ASSERT_TRUE(WriteFileAtomically(file, "a longer first version\n"));
  EXPECT_EQ(ReadFile(file), "a longer first version\n");
  ASSERT_TRUE(WriteFileAtomically(file, "short\n", Durability::kAtomicOnly));
  EXPECT_EQ(ReadFile(file), "short\n");
  EXPECT_EQ(Names(file.parent_path()), std::vector<std::string>{"manifest.json"});
}

TEST(WriteFileAtomically, RefusesAFolderInTheWay) {
  TempDir dir;
  fs::create_directories(dir / "run_results.json");  // a folder where the file goes
  auto written = WriteFileAtomically(dir / "run_results.json", "{}");
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("run_results.json"), std::string::npos);
  EXPECT_EQ(Names(dir.path()), std::vector<std::string>{"run_results.json"});
  EXPECT_TRUE(fs::is_directory(dir / "run_results.json"));
}

}  // namespace
}  // namespace playlake
