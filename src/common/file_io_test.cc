#include "common/file_io.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "testing/testing.h"

namespace playlake {
namespace {

TEST(WriteFully, FullDiskIsReportedAsSuch) {
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  if (fd < 0) GTEST_SKIP() << "no /dev/full on this system";
  auto written = WriteFully(fd, "a play that does not fit", "/dev/full");
  ::close(fd);
  ASSERT_FALSE(written);
  EXPECT_EQ(written.error().code, ErrorCode::kDiskFull);
  EXPECT_NE(written.error().message.find("cannot write /dev/full"), std::string::npos);
}

TEST(WriteFully, WritesEveryPartThroughAPipe) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const std::string_view parts[] = {"one ", "", "two ", "three"};
  ASSERT_TRUE(WriteFully(fds[1], parts, "pipe"));
  ::close(fds[1]);
  char buffer[64];
  const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
  ::close(fds[0]);
  EXPECT_EQ(std::string(buffer, n > 0 ? static_cast<std::size_t>(n) : 0), "one two three");
}

TEST(SyncFolder, SyncsAFolderAndNamesAMissingOne) {
  testing::TempDir dir;
  EXPECT_TRUE(SyncFolder(dir.path()));
  auto missing = SyncFolder(dir / "gone");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  EXPECT_NE(missing.error().message.find("gone"), std::string::npos);
}

}  // namespace
}  // namespace playlake
