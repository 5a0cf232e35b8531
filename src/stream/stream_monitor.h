// StreamMonitor: the figures of a Kafka source's stream into the lake
// (stream_figures.h), for `playlake serve`'s /metrics and Pipeline page.
//
//   auto monitor = StreamMonitor::Create(lake, source, {});
//   Result<StreamFigures> figures = (*monitor)->Read();
//
// The workers of `playlake stream` may run on other machines, so the figures
// come from what any reader sees: the lake's silver manifests (each stream
// batch's offset range and commit time) and the brokers' high watermarks,
// asked with the source's own Kafka settings (SASL, TLS). A Read waits at
// most `broker_timeout` for the brokers; when they do not answer, the figures
// say so and carry no lag, and the lake's figures are still exact. Each Read
// reads only the manifests published since the last one.
//
// Ownership: borrows the lake, which must outlive the monitor. Thread safety:
// Read may be called from several threads (they take turns).
// Errors: Create returns kConfig for Kafka properties librdkafka refuses;
// Read returns the lake's errors (kIo, kData).
#pragma once

#include <chrono>
#include <memory>

#include "common/result.h"
#include "config/project.h"
#include "lake/lake.h"
#include "stream/stream_figures.h"

namespace playlake::stream {

struct StreamMonitorOptions {
  std::chrono::milliseconds broker_timeout{1000};  // for the whole watermark query
  std::chrono::seconds window{60};                 // of events_per_second
};

class StreamMonitor {
 public:
  // REQUIRES: source.kafka is set.
  static Result<std::unique_ptr<StreamMonitor>> Create(lake::Lake& lake,
                                                       config::SourceConfig source,
                                                       StreamMonitorOptions options);
  ~StreamMonitor();
  StreamMonitor(const StreamMonitor&) = delete;
  StreamMonitor& operator=(const StreamMonitor&) = delete;

  // The figures now (the lake's clock gives "now" for events_per_second).
  Result<StreamFigures> Read();

 private:
  struct State;
  explicit StreamMonitor(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace playlake::stream
