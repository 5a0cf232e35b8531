#include "testing/testing.h"

#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace playlake::testing {

namespace {

// A wait status as a shell reports it: the exit code, or 128 + the signal.
int ExitCode(int status) {
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

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
  int code = ExitCode(status);
  return {code, std::move(out), ReadFile(err)};
}

std::string PlaylakeBinary() { return PLAYLAKE_BINARY; }

std::filesystem::path RealData() { return PLAYLAKE_REALDATA; }

CommandOutput RunPlaylake(const std::string& args) {
  return RunShell(PlaylakeBinary() + " " + args);
}

Background::Background(const std::vector<std::string>& args, std::filesystem::path log)
    : Background(PlaylakeBinary(), args, std::move(log)) {}

Background::Background(const std::string& binary, const std::vector<std::string>& args,
                       std::filesystem::path log)
    : log_(std::move(log)) {
  // Everything the child needs is made before fork: it only opens and execs.
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& arg : all) argv.push_back(arg.data());
  argv.push_back(nullptr);
  const std::string log_file = log_.string();
  pid_ = ::fork();
  if (pid_ == 0) {
    const int fd = ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fd, STDOUT_FILENO);
    ::dup2(fd, STDERR_FILENO);
    ::execv(binary.c_str(), argv.data());
    ::_exit(127);
  }
}

Background::~Background() { Stop(); }

int Background::Stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = 0;
  return ExitCode(status);
}

int Background::Wait(std::chrono::seconds limit) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  int status = 0;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) return Stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  pid_ = 0;
  return ExitCode(status);
}

namespace {

std::vector<std::string> Concatenated(std::vector<std::string> args,
                                      const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

}  // namespace

Dashboard::Dashboard(const std::filesystem::path& project, std::filesystem::path log,
                     const std::vector<std::string>& extra_args)
    : process_(Concatenated({"serve", "--port", "0", "--project", project.string()}, extra_args),
               std::move(log)) {
  const std::string prefix = "Dashboard: http://127.0.0.1:";
  for (int i = 0; i < 400 && port_ == 0; ++i) {
    const std::string out = process_.log();
    if (const auto at = out.find(prefix); at != std::string::npos) {
      port_ = std::atoi(out.c_str() + at + prefix.size());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

struct WebhookReceiver::State {
  httplib::Server server;
  std::thread thread;
  int port = 0;
  mutable std::mutex mutex;
  std::vector<int> statuses;
  std::vector<std::string> bodies;
};

WebhookReceiver::WebhookReceiver(std::vector<int> statuses) : state_(std::make_unique<State>()) {
  state_->statuses = std::move(statuses);
  state_->server.Post(
      ".*", [state = state_.get()](const httplib::Request& request, httplib::Response& response) {
        std::lock_guard lock(state->mutex);
        state->bodies.push_back(request.body);
        const std::size_t n = state->bodies.size();
        response.status = n <= state->statuses.size() ? state->statuses[n - 1] : 200;
      });
  state_->port = state_->server.bind_to_any_port("127.0.0.1");
  state_->thread = std::thread([state = state_.get()] { state->server.listen_after_bind(); });
  while (!state_->server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

WebhookReceiver::~WebhookReceiver() {
  state_->server.stop();
  state_->thread.join();
}

std::string WebhookReceiver::url() const {
  return "http://127.0.0.1:" + std::to_string(state_->port) + "/hooks/secret-token";
}

std::vector<std::string> WebhookReceiver::bodies() const {
  std::lock_guard lock(state_->mutex);
  return state_->bodies;
}

std::vector<std::string> WebhookReceiver::WaitFor(std::size_t count, int seconds) const {
  for (int i = 0; i < seconds * 20 && bodies().size() < count; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return bodies();
}

}  // namespace playlake::testing
