#include "publish/test_clickhouse.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace playlake::publish {
namespace {

int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

TestClickHouse::TestClickHouse() {
  http_port_ = FreePort();
  const std::string root = dir_.path().string();
  std::ofstream(dir_ / "config.xml") << fmt::format(
      R"(<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><console>1</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{}</http_port>
  <tcp_port>{}</tcp_port>
  <path>{}/data/</path>
  <tmp_path>{}/tmp/</tmp_path>
  <user_files_path>{}/user_files/</user_files_path>
  <format_schema_path>{}/format_schemas/</format_schema_path>
  <users_config>users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>5368709120</mark_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
</yandex>
)",
      http_port_, FreePort(), root, root, root, root);
  std::ofstream(dir_ / "users.xml") << R"(<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks>
    <profile>default</profile><quota>default</quota></default></users>
  <quotas><default></default></quotas>
</yandex>
)";
  Start();
}

TestClickHouse::~TestClickHouse() { Stop(); }

void TestClickHouse::Start() {
  server_ = std::make_unique<playlake::testing::Background>(
      PLAYLAKE_CLICKHOUSE_SERVER,
      std::vector<std::string>{"--config-file=" + (dir_ / "config.xml").string()},
      dir_ / "server.log");
  ClickHouseTarget probe = Target("default");
  probe.timeout = std::chrono::milliseconds(1000);
  for (int i = 0; i < 300; ++i) {
    if (ClickHouseRequest(probe, "SELECT 1")) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ADD_FAILURE() << "clickhouse-server (" << PLAYLAKE_CLICKHOUSE_SERVER
                << ") did not answer within 30 s: " << server_->log();
}

void TestClickHouse::Stop() {
  if (server_) server_->Stop();
  server_.reset();
}

ClickHouseTarget TestClickHouse::Target(const std::string& database) const {
  ClickHouseTarget target;
  target.url = fmt::format("http://127.0.0.1:{}", http_port_);
  target.database = database;
  return target;
}

std::string TestClickHouse::Query(const std::string& sql) const {
  auto answer = ClickHouseRequest(Target("default"), sql + " FORMAT TSV");
  EXPECT_TRUE(answer) << answer.error().message;
  return answer ? *answer : "";
}

}  // namespace playlake::publish
