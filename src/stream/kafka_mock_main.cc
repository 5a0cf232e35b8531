// playlake-kafka-mock: a Kafka broker for tests and local trials.
//
// Starts librdkafka's mock cluster (real Kafka protocol over TCP on
// 127.0.0.1, ephemeral ports), creates the topics asked for, prints the
// bootstrap servers as one line on stdout and runs until SIGTERM or SIGINT.
//
//   playlake-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]... [--commands]
//
// With --commands it reads commands on stdin, one a line, each answered by one line on stdout ("ok"
// or "error: WHY"), so a test can take brokers down and up while clients
// run:
//   down ID|all   disconnect the broker(s) and refuse new connections
//   up ID|all     accept connections again
// Brokers are numbered from 1. The end of stdin ends no more than the commands.
//
// Exit codes: 0 stopped by a signal, 2 bad usage, 1 the cluster did not start.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
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
               "usage: playlake-kafka-mock [--brokers N] [--topic NAME:PARTITIONS]... "
               "[--commands]\n"
               "  --commands  read 'down ID|all' and 'up ID|all' lines on stdin, answer each\n"
               "              with 'ok' or 'error: WHY' on stdout\n",
               why);
  return 2;
}

// Runs one stdin command on `cluster`; returns the answer line.
std::string RunCommand(rd_kafka_mock_cluster_t* cluster, int brokers, const std::string& line) {
  const auto space = line.find(' ');
  const std::string verb = line.substr(0, space);
  const std::string which = space == std::string::npos ? "" : line.substr(space + 1);
  if (verb != "down" && verb != "up") return "error: unknown command '" + verb + "'";
  int first = 1, last = brokers;
  if (which != "all") {
    first = last = std::atoi(which.c_str());
    if (first < 1 || first > brokers) {
      return "error: no broker '" + which + "' (1 to " + std::to_string(brokers) + ", or all)";
    }
  }
  for (int id = first; id <= last; ++id) {
    const rd_kafka_resp_err_t err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, id)
                                                   : rd_kafka_mock_broker_set_up(cluster, id);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return std::string("error: ") + rd_kafka_err2str(err);
  }
  return "ok";
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  bool commands = false;  // read commands on stdin, until it ends
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      Usage("a Kafka mock cluster on 127.0.0.1 for tests");
      return 0;
    }
    if (arg == "--commands") {
      commands = true;
      continue;
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
  std::string pending;  // stdin read so far, up to a line
  while (!g_stop) {
    if (!commands) {
      ::usleep(50'000);
      continue;
    }
    pollfd in{STDIN_FILENO, POLLIN, 0};
    if (::poll(&in, 1, 50) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
      commands = false;
      continue;
    }
    pending.append(buffer, static_cast<std::size_t>(n));
    for (auto newline = pending.find('\n'); newline != std::string::npos;
         newline = pending.find('\n')) {
      const std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.empty()) continue;
      std::printf("%s\n", RunCommand(cluster, brokers, line).c_str());
      std::fflush(stdout);
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(handle);
  return 0;
}
