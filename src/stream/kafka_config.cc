#include "stream/kafka_config.h"

#include <fmt/format.h>
#include <librdkafka/rdkafkacpp.h>

namespace playlake::stream {

Result<std::unique_ptr<RdKafka::Conf>> MakeConf(
    const std::map<std::string, std::string>& properties) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  for (const auto& [key, value] : properties) {
    if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK) {
      return Fail(ErrorCode::kConfig, fmt::format("Kafka property {}: {}", key, error));
    }
  }
  return conf;
}

}  // namespace playlake::stream
