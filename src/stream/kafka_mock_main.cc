// playlake-kafka-mock: a Kafka broker for tests and local trials.
//
// Starts librdkafka's mock cluster (real Kafka protocol over TCP on
// 127.0.0.1, ephemeral ports), creates the topics asked for, prints the
// bootstrap servers as one line on stdout and runs until SIGTERM or SIGINT.
//
//   playlake-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...
//
// Exit codes: 0 stopped by a signal, 2 bad usage, 1 the cluster did not start.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace {

volatile std::sig_atomic_t g_stop = 0;
extern "C" void OnStop(int) { g_stop = 1; }

int Usage(const char* why) {
  std::fprintf(stderr,
               "playlake-kafka-mock: %s\n"
               "usage: playlake-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]...\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage("a Kafka mock cluster on 127.0.0.1 for tests");
      return 0;
    }
    if (i + 1 >= argc) return Usage(("missing value after " + arg).c_str());
    const std::string value = argv[++i];
    if (arg == "--brokers") {
      brokers = std::atoi(value.c_str());
      if (brokers < 1 || brokers > 16) return Usage("--brokers must be 1 to 16");
    } else if (arg == "--topic") {
      const auto colon = value.rfind(':');
      const int partitions = colon == std::string::npos ? 1 : std::atoi(value.c_str() + colon + 1);
      if (colon == 0 || partitions < 1 || partitions > 1000) {
        return Usage("--topic takes NAME:PARTITIONS, 1 to 1000 partitions");
      }
      topics.emplace_back(value.substr(0, colon), partitions);
    } else {
      return Usage(("unknown option " + arg).c_str());
    }
  }

  // The mock cluster lives inside a client handle; this one never connects.
  char error[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", error, sizeof error);
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
  if (handle == nullptr) {
    std::fprintf(stderr, "playlake-kafka-mock: cannot create a client handle: %s\n", error);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "playlake-kafka-mock: the mock cluster did not start\n");
    rd_kafka_destroy(handle);
    return 1;
  }
  for (const auto& [name, partitions] : topics) {
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, std::min(brokers, 3));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "playlake-kafka-mock: cannot create topic %s: %s\n", name.c_str(),
                   rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(cluster);
      rd_kafka_destroy(handle);
      return 1;
    }
  }
  std::signal(SIGTERM, OnStop);
  std::signal(SIGINT, OnStop);
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  while (!g_stop) ::usleep(50'000);
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
