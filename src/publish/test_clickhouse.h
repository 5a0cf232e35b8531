// TestClickHouse: Debian's clickhouse-server on 127.0.0.1 for tests, on free
// ports with a temporary data folder, started by the constructor (a test
// failure says why when it does not answer) and stopped when destroyed.
#pragma once

#include <memory>
#include <string>

#include "publish/clickhouse.h"
#include "testing/testing.h"

namespace playlake::publish {

class TestClickHouse {
 public:
  TestClickHouse();
  ~TestClickHouse();
  // The target for database `database`; empty url when the server is down.
  ClickHouseTarget Target(const std::string& database) const;
  // Stops the server (SIGTERM) / starts it again on the same ports and data.
  void Stop();
  void Start();
  // The answer to `sql` as TSV; a test failure (and "") on an error.
  std::string Query(const std::string& sql) const;

 private:
  playlake::testing::TempDir dir_;
  int http_port_ = 0;
  std::unique_ptr<playlake::testing::Background> server_;
};

}  // namespace playlake::publish
