// MockBroker: a real Kafka broker process on 127.0.0.1 for tests.
//
//   auto broker = MockBroker::Start({{"plays", 3}});
//   ASSERT_TRUE(broker) << broker.error().message;
//   ... connect any client (Playlake, kcat) to (*broker)->bootstrap() ...
//
// Runs `playlake-kafka-mock` (librdkafka's mock cluster in its own process),
// waits for it to print its bootstrap servers, and stops it by PID (SIGTERM,
// then SIGKILL if it lingers) when destroyed. Command() takes brokers down
// and up while clients run.
// Errors: kIo when the helper cannot be started or prints nothing within 20 s
// (the message says why and includes what it wrote on stderr).
// Thread safety: none; one test thread owns it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace playlake::stream {

class MockBroker {
 public:
  // `topics`: name and partition count of each topic to create.
  static Result<std::unique_ptr<MockBroker>> Start(
      const std::vector<std::pair<std::string, int>>& topics);
  ~MockBroker();
  MockBroker(const MockBroker&) = delete;
  MockBroker& operator=(const MockBroker&) = delete;

  // "127.0.0.1:PORT" (comma-separated with several brokers).
  const std::string& bootstrap() const { return bootstrap_; }
  int pid() const { return pid_; }

  // Sends one command to the helper ("down ID|all", "up ID|all"; brokers
  // are numbered from 1) and waits up to 10 s for it to be done.
  // Errors: kIo when the helper refuses the command or does not answer.
  Status Command(const std::string& line);

 private:
  MockBroker(int pid, std::string bootstrap, int to_helper, int from_helper)
      : pid_(pid),
        bootstrap_(std::move(bootstrap)),
        to_helper_(to_helper),
        from_helper_(from_helper) {}
  int pid_;
  std::string bootstrap_;
  int to_helper_;    // its stdin
  int from_helper_;  // its stdout, after the bootstrap line
};

// The path of the built helper program.
std::string MockBrokerBinary();

}  // namespace playlake::stream
