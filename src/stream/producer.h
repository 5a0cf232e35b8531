// Producer: writes plays to a Kafka topic (`playlake generate --kafka`).
//
//   auto producer = Producer::Create({.brokers = "127.0.0.1:9092", .topic = "plays"});
//   (*producer)->Send(ListenerKey(line), line);
//   ProduceReport report = (*producer)->Finish(std::chrono::seconds(30));
//
// The producer is idempotent (enable.idempotence): a retry after a lost
// acknowledgement never writes a message twice, and messages with one key
// keep their order. Messages are keyed by listener, so one listener's plays
// land in one partition in the order they were sent.
//
// Ownership: owns its librdkafka handle. Thread safety: one thread at a time.
// Errors: kConfig for a property librdkafka refuses (the message names it),
// kIo for a message that cannot be queued.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace playlake::stream {

struct ProducerOptions {
  std::string brokers;  // bootstrap.servers
  std::string topic;
  // librdkafka properties passed through (SASL, TLS, linger.ms, ...); they
  // override Playlake's defaults.
  std::map<std::string, std::string> properties;
};

// What became of the messages sent.
struct ProduceReport {
  std::int64_t sent = 0;       // queued by Send
  std::int64_t delivered = 0;  // acknowledged by the broker
  std::int64_t failed = 0;     // reported as failed, or still queued at the deadline
  std::string first_error;     // why the first failure failed
  bool ok() const { return failed == 0 && delivered == sent; }
};

class Producer {
 public:
  static Result<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one message (key may be empty: any partition). While librdkafka's
  // local queue is full it waits, serving delivery reports.
  Status Send(std::string_view key, std::string_view value);
  // Serves delivery reports without waiting.
  void Poll();
  // Waits up to `timeout` for every queued message to be acknowledged; what
  // is still queued then counts as failed.
  ProduceReport Finish(std::chrono::milliseconds timeout);
  std::string Describe() const;

 private:
  struct State;
  explicit Producer(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The listener of a Playlake or eventsim play line: the value of "user_id"
// (Playlake) or "userId" (eventsim), text or number; empty when absent.
std::string_view ListenerKey(std::string_view line);

}  // namespace playlake::stream
