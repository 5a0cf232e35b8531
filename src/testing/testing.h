// Helpers shared by the tests: temporary folders and running the real binary.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace playlake::testing {

// A fresh folder under the system temp dir, removed with everything in it when
// the object goes out of scope.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

struct CommandOutput {
  int exit_code;  // the process's exit status (128 + N when killed by signal N)
  std::string stdout_text;
  std::string stderr_text;
};

// Runs `playlake ARGS` (ARGS as a shell-quoted string) and captures its output.
CommandOutput RunPlaylake(const std::string& args);

// Runs a shell command and captures its output.
CommandOutput RunShell(const std::string& command);

// The real data folder (../shared/realdata) and the built binary.
std::filesystem::path RealData();
std::string PlaylakeBinary();

std::string ReadFile(const std::filesystem::path& path);

// A real `playlake ARGS` (or `program ARGS`) in the background, its stdout and
// stderr in `log`, stopped (SIGTERM) when destroyed.
class Background {
 public:
  Background(const std::vector<std::string>& args, std::filesystem::path log);
  Background(const std::string& program, const std::vector<std::string>& args,
             std::filesystem::path log);
  ~Background();
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;
  // Sends SIGTERM and waits for the process; returns its exit status as
  // CommandOutput::exit_code has it.
  int Stop();
  // Waits up to `limit` for the process to end by itself (then Stop()s it);
  // returns its exit status as Stop does.
  int Wait(std::chrono::seconds limit);
  std::string log() const { return ReadFile(log_); }

 private:
  std::filesystem::path log_;
  int pid_ = 0;
};

// A real `playlake serve --port 0` of `project` in the background, its output
// in `log`, stopped (SIGTERM) when destroyed.
class Dashboard {
 public:
  // Starts it (with `extra_args` after the project's) and waits (20 s at
  // most) for it to print its URL.
  Dashboard(const std::filesystem::path& project, std::filesystem::path log,
            const std::vector<std::string>& extra_args = {});
  int port() const { return port_; }  // 0: it did not start (see log())
  std::string log() const { return process_.log(); }

 private:
  Background process_;
  int port_ = 0;
};

// A real HTTP server on 127.0.0.1 that records the bodies POSTed to it (a
// webhook's receiver). It answers each POST with the next status of
// `statuses`, then 200.
class WebhookReceiver {
 public:
  explicit WebhookReceiver(std::vector<int> statuses = {});
  ~WebhookReceiver();
  WebhookReceiver(const WebhookReceiver&) = delete;
  WebhookReceiver& operator=(const WebhookReceiver&) = delete;
  // "http://127.0.0.1:PORT/hooks/secret-token".
  std::string url() const;
  std::vector<std::string> bodies() const;
  // Waits (up to `seconds`) until at least `count` bodies arrived.
  std::vector<std::string> WaitFor(std::size_t count, int seconds) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace playlake::testing
