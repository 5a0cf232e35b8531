#include "testing/testing.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace playlake::testing {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("playlake-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

CommandOutput RunShell(const std::string& command) {
  TempDir dir;
  const auto err = dir / "stderr";
  const std::string full = "(" + command + ") 2>" + err.string();
  FILE* pipe = popen(full.c_str(), "r");
  std::string out;
  char buffer[65536];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
  const int status = pclose(pipe);
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return {code, std::move(out), ReadFile(err)};
}

std::string PlaylakeBinary() { return PLAYLAKE_BINARY; }

std::filesystem::path RealData() { return PLAYLAKE_REALDATA; }

CommandOutput RunPlaylake(const std::string& args) {
  return RunShell(PlaylakeBinary() + " " + args);
}

Dashboard::Dashboard(const std::filesystem::path& project, std::filesystem::path log)
    : log_(std::move(log)) {
  const auto started = RunShell(PlaylakeBinary() + " serve --port 0 --project " + project.string() +
                                " > " + log_.string() + " 2>&1 & echo $!");
  pid_ = std::atoi(started.stdout_text.c_str());
  const std::string prefix = "Dashboard: http://127.0.0.1:";
  for (int i = 0; i < 400 && port_ == 0; ++i) {
    const std::string out = ReadFile(log_);
    if (const auto at = out.find(prefix); at != std::string::npos) {
      port_ = std::atoi(out.c_str() + at + prefix.size());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Dashboard::~Dashboard() {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
}

}  // namespace playlake::testing
