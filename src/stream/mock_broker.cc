#include "stream/mock_broker.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace playlake::stream {
namespace {

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Stops `pid`: SIGTERM, then SIGKILL after 5 s.
void StopProcess(int pid) {
  ::kill(pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid, nullptr, WNOHANG) == pid) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

}  // namespace

std::string MockBrokerBinary() { return PLAYLAKE_KAFKA_MOCK; }

Result<std::unique_ptr<MockBroker>> MockBroker::Start(
    const std::vector<std::pair<std::string, int>>& topics) {
  const std::string binary = MockBrokerBinary();
  std::vector<std::string> args = {binary, "--commands"};
  for (const auto& [name, partitions] : topics) {
    args.push_back("--topic");
    args.push_back(fmt::format("{}:{}", name, partitions));
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string err_log =
      (std::filesystem::temp_directory_path() / fmt::format("kafka-mock-{}.log", ::getpid()))
          .string();
  int out[2];
  int in[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(in, O_CLOEXEC) != 0) {
    return Fail(ErrorCode::kIo, "cannot create a pipe for the mock broker");
  }
  const int pid = ::fork();
  if (pid < 0) return Fail(ErrorCode::kIo, "cannot fork the mock broker");
  if (pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(in[0], STDIN_FILENO);
    const int fd = ::open(err_log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) ::dup2(fd, STDERR_FILENO);
    ::close(out[0]);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(in[0]);
  std::string line;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(out[0], buffer, sizeof buffer);
    if (n <= 0) break;
    line.append(buffer, static_cast<std::size_t>(n));
  }
  const auto newline = line.find('\n');
  if (newline == std::string::npos || newline == 0) {
    ::close(out[0]);
    ::close(in[1]);
    StopProcess(pid);
    const std::string why = ReadText(err_log);
    std::filesystem::remove(err_log);
    return Fail(ErrorCode::kIo,
                fmt::format("the Kafka mock broker ({}) did not start: {}", binary,
                            why.empty() ? "it printed no bootstrap address within 20 s" : why));
  }
  std::filesystem::remove(err_log);
  return std::unique_ptr<MockBroker>(new MockBroker(pid, line.substr(0, newline), in[1], out[0]));
}

MockBroker::~MockBroker() {
  ::close(to_helper_);
  ::close(from_helper_);
  StopProcess(pid_);
}

Status MockBroker::Command(const std::string& line) {
  const std::string sent = line + "\n";
  if (::write(to_helper_, sent.data(), sent.size()) != static_cast<ssize_t>(sent.size())) {
    return Fail(ErrorCode::kIo, fmt::format("cannot send '{}' to the mock broker", line));
  }
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (answer.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{from_helper_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    char c = 0;
    if (::read(from_helper_, &c, 1) != 1) break;  // one byte at a time: nothing read past the line
    answer += c;
  }
  if (answer != "ok\n") {
    return Fail(ErrorCode::kIo, fmt::format("the mock broker did not do '{}': {}", line,
                                            answer.empty() ? "no answer within 10 s" : answer));
  }
  return {};
}

}  // namespace playlake::stream
