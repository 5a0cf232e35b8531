#include "stream/producer.h"

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

#include <thread>

#include "stream/kafka_config.h"

namespace playlake::stream {

namespace {

class DeliveryCounter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& message) override {
    if (message.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
      return;
    }
    ++failed;
    if (first_error.empty()) first_error = message.errstr();
  }
  std::int64_t delivered = 0, failed = 0;
  std::string first_error;
};

}  // namespace

struct Producer::State {
  ProducerOptions options;
  DeliveryCounter counter;
  std::unique_ptr<RdKafka::Producer> producer;
  std::int64_t sent = 0;
};

Producer::Producer(std::unique_ptr<State> state) : state_(std::move(state)) {}
Producer::~Producer() = default;

Result<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  auto state = std::make_unique<State>();
  state->options = options;
  std::map<std::string, std::string> properties = {
      {"bootstrap.servers", options.brokers},
      {"enable.idempotence", "true"},
      {"linger.ms", "5"},
      {"client.id", "playlake-generate"},
  };
  for (const auto& [k, v] : options.properties) properties[k] = v;
  auto conf = MakeConf(properties);
  if (!conf) return tl::unexpected(conf.error());
  std::string error;
  if ((*conf)->set("dr_cb", &state->counter, error) != RdKafka::Conf::CONF_OK) {
    return Fail(ErrorCode::kInternal, "cannot set the delivery report callback: " + error);
  }
  state->producer.reset(RdKafka::Producer::create(conf->get(), error));
  if (!state->producer) {
    return Fail(ErrorCode::kConfig, fmt::format("cannot create a Kafka producer: {}", error));
  }
  return std::unique_ptr<Producer>(new Producer(std::move(state)));
}

Status Producer::Send(std::string_view key, std::string_view value) {
  while (true) {
    const RdKafka::ErrorCode err = state_->producer->produce(
        state_->options.topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
        const_cast<char*>(value.data()), value.size(), key.empty() ? nullptr : key.data(),
        key.size(), 0, nullptr);
    if (err == RdKafka::ERR_NO_ERROR) break;
    if (err != RdKafka::ERR__QUEUE_FULL) {
      return Fail(ErrorCode::kIo, fmt::format("cannot send to Kafka topic {}: {}",
                                              state_->options.topic, RdKafka::err2str(err)));
    }
    state_->producer->poll(100);  // the queue drains as deliveries are acknowledged
  }
  ++state_->sent;
  state_->producer->poll(0);
  return {};
}

void Producer::Poll() { state_->producer->poll(0); }

ProduceReport Producer::Finish(std::chrono::milliseconds timeout) {
  state_->producer->flush(static_cast<int>(timeout.count()));
  state_->producer->poll(0);
  ProduceReport report;
  report.sent = state_->sent;
  report.delivered = state_->counter.delivered;
  report.failed = report.sent - report.delivered;
  report.first_error = state_->counter.first_error;
  if (report.first_error.empty() && report.failed > 0) {
    report.first_error = fmt::format("not acknowledged within {} ms", timeout.count());
  }
  return report;
}

std::string Producer::Describe() const {
  return fmt::format("Kafka topic {} at {}", state_->options.topic, state_->options.brokers);
}

std::string_view ListenerKey(std::string_view line) {
  for (std::string_view field : {std::string_view("\"user_id\""), std::string_view("\"userId\"")}) {
    const auto at = line.find(field);
    if (at == std::string_view::npos) continue;
    std::size_t i = at + field.size();
    while (i < line.size() && (line[i] == ' ' || line[i] == ':')) ++i;
    if (i >= line.size()) return {};
    if (line[i] == '"') {
      const auto end = line.find('"', i + 1);
      return end == std::string_view::npos ? std::string_view() : line.substr(i + 1, end - i - 1);
    }
    std::size_t end = i;
    while (end < line.size() && line[end] != ',' && line[end] != '}' && line[end] != ' ') ++end;
    return line.substr(i, end - i);
  }
  return {};
}

}  // namespace playlake::stream
