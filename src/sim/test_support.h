// Helpers for the simulator's tests: generate a data set in-process and load
// it into an in-memory DuckDB. Test-only; not part of playlake_sim.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

#include "sim/catalog_files.h"
#include "sim/generator.h"
#include "sim/sink.h"
#include "sim/world.h"
#include "warehouse/duckdb.h"

namespace playlake::sim::testing {

struct GeneratedData {
  std::unique_ptr<World> world;
  GenerateStats stats;
};

// Generates into `out` (a file, or a folder ending in '/'), optionally with the
// catalog files in catalog_dir. Fails the test on error.
inline GeneratedData GenerateTo(const WorldOptions& world_options, const GenerateOptions& options,
                                const std::string& out,
                                const std::filesystem::path& catalog_dir = {}) {
  GeneratedData data;
  data.world = World::Build(world_options);
  if (!catalog_dir.empty()) {
    auto s = WriteCatalogFiles(*data.world, catalog_dir);
    EXPECT_TRUE(s.has_value()) << s.error().message;
  }
  auto sink = OpenSink(out);
  EXPECT_TRUE(sink.has_value()) << sink.error().message;
  if (!sink) return data;
  auto stats = Generate(*data.world, options, **sink);
  EXPECT_TRUE(stats.has_value()) << stats.error().message;
  if (stats) data.stats = *stats;
  return data;
}

inline WorldOptions MakeWorld(uint64_t seed, uint32_t users, const char* start, const char* end) {
  WorldOptions w;
  w.seed = seed;
  w.users = users;
  w.start_day = *ParseDate(start, "start");
  w.end_day = *ParseDate(end, "end");
  return w;
}

// An in-memory DuckDB session in UTC.
class Duck {
 public:
  Duck() {
    auto db = warehouse::Database::Open("");
    EXPECT_TRUE(db.has_value());
    db_ = std::move(*db);
    auto conn = db_->Connect();
    EXPECT_TRUE(conn.has_value());
    conn_ = std::move(*conn);
    Exec("SET TimeZone = 'UTC'");
  }
  void Exec(const std::string& sql) {
    auto s = conn_->Execute(sql);
    ASSERT_TRUE(s.has_value()) << s.error().message << "\n" << sql;
  }
  double Number(const std::string& sql) {
    auto v = conn_->QueryScalar(sql);
    EXPECT_TRUE(v.has_value()) << (v ? "" : v.error().message) << "\n" << sql;
    return v ? std::stod(*v) : -1;
  }
  warehouse::Table Rows(const std::string& sql) {
    auto t = conn_->Query(sql);
    EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().message) << "\n" << sql;
    return t ? *t : warehouse::Table{};
  }

 private:
  std::unique_ptr<warehouse::Database> db_;
  std::unique_ptr<warehouse::Connection> conn_;
};

// SQL that reads Playlake NDJSON with the contract's types (ts kept as text
// and converted explicitly, so DuckDB's type sniffing cannot shift it).
inline std::string ReadPlays(const std::string& glob) {
  return "(SELECT * EXCLUDE (ts), ts::TIMESTAMPTZ AS ts FROM read_ndjson(" +
         warehouse::QuoteLiteral(glob) +
         ", columns = {event_id: 'VARCHAR', ts: 'VARCHAR', user_id: 'VARCHAR', track_id: "
         "'VARCHAR', "
         "ms_played: 'BIGINT', session_id: 'VARCHAR', artist_id: 'VARCHAR', album_id: 'VARCHAR', "
         "duration_ms: 'BIGINT', country: 'VARCHAR', region: 'VARCHAR', city: 'VARCHAR', timezone: "
         "'VARCHAR', "
         "device: 'VARCHAR', platform: 'VARCHAR', level: 'VARCHAR', reason_start: 'VARCHAR', "
         "reason_end: 'VARCHAR', shuffle: 'BOOLEAN', skipped: 'BOOLEAN', offline: 'BOOLEAN'}))";
}

}  // namespace playlake::sim::testing
