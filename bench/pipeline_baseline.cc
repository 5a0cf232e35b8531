// The baseline for bench/pipeline.sh: what a user would do with DuckDB alone.
// Loads the raw NDJSON (plays, deduplicated by event id) and the catalog
// files into silver-shaped tables with read_ndjson, then replays the SQL that
// `playlake run` rendered for the same models (target/run_results.json of a
// full run) as plain CREATE VIEW / CREATE TABLE statements and runs the same
// data tests, in one DuckDB database, in one process. No lake, no bronze, no
// quarantine, no lineage, no incremental state: strictly less work.
//
//   pipeline_baseline EVENTS_GLOB CATALOG_DIR RUN_RESULTS MANIFEST DB THREADS
//
// Prints "silver S", "models S", "tests S", "total S" (seconds) on stdout.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "warehouse/duckdb.h"

namespace {

using playlake::warehouse::QuoteLiteral;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string SilverSql(const std::string& events, const std::string& catalog) {
  const auto file = [&](const char* name) { return QuoteLiteral(catalog + "/" + name); };
  return "CREATE SCHEMA silver;\n"
         "CREATE TABLE silver.plays AS SELECT event_id AS play_id, ts AS event_ts, CAST(ts AS DATE) AS event_date, "
         "NULL::TIMESTAMPTZ AS end_ts, user_id, session_id, NULL::BIGINT AS item_in_session, track_id, artist_id, "
         "album_id, track_name, artist_name, album_name, ms_played, duration_ms, country, region, city, timezone, "
         "device, platform, level, reason_start, reason_end, shuffle, skipped, offline, NULL::VARCHAR AS user_agent, "
         "'playlake' AS source_format, filename AS batch_id FROM read_ndjson(" + QuoteLiteral(events) +
         ", ignore_errors = true, filename = true, columns = {event_id: 'VARCHAR', ts: 'TIMESTAMPTZ', user_id: 'VARCHAR', "
         "track_id: 'VARCHAR', ms_played: 'BIGINT', session_id: 'VARCHAR', artist_id: 'VARCHAR', "
         "album_id: 'VARCHAR', track_name: 'VARCHAR', artist_name: 'VARCHAR', album_name: 'VARCHAR', "
         "duration_ms: 'BIGINT', country: 'VARCHAR', region: 'VARCHAR', city: 'VARCHAR', timezone: 'VARCHAR', "
         "device: 'VARCHAR', platform: 'VARCHAR', level: 'VARCHAR', reason_start: 'VARCHAR', "
         "reason_end: 'VARCHAR', shuffle: 'BOOLEAN', skipped: 'BOOLEAN', offline: 'BOOLEAN'}) "
         "WHERE event_id IS NOT NULL AND ts IS NOT NULL "
         "QUALIFY row_number() OVER (PARTITION BY event_id) = 1;\n"
         "CREATE TABLE silver.page_views (page_view_id VARCHAR, event_ts TIMESTAMPTZ, event_date DATE, "
         "user_id VARCHAR, session_id VARCHAR, page VARCHAR, level VARCHAR, source_format VARCHAR);\n"
         "CREATE TABLE silver.tracks AS SELECT track_id, name, artist_id, NULL::VARCHAR AS artist_name, album_id, "
         "NULL::VARCHAR AS album_name, genre, duration_ms, CAST(release_date AS DATE) AS release_date, "
         "NULL::INTEGER AS year, explicit, danceability, energy, valence, tempo, acousticness, instrumentalness, "
         "speechiness, liveness, loudness, 'playlake-catalog' AS source_format FROM read_ndjson(" +
         file("tracks.jsonl") + ");\n"
         "CREATE TABLE silver.artists AS SELECT artist_id, name, genre, country, NULL::VARCHAR AS location, "
         "NULL::DOUBLE AS latitude, NULL::DOUBLE AS longitude, 'playlake-catalog' AS source_format "
         "FROM read_ndjson(" + file("artists.jsonl") + ");\n"
         "CREATE TABLE silver.albums AS SELECT album_id, name, artist_id, CAST(release_date AS DATE) AS release_date, "
         "album_type, 'playlake-catalog' AS source_format FROM read_ndjson(" + file("albums.jsonl") + ");\n"
         "CREATE TABLE silver.users AS SELECT user_id, first_name, last_name, gender, level, country, region, city, "
         "timezone, CAST(registration_ts AS TIMESTAMPTZ) AS registration_ts, NULL::TIMESTAMPTZ AS observed_ts, "
         "device, platform, 'playlake-catalog' AS source_format FROM read_ndjson(" + file("users.jsonl") + ");\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::fprintf(stderr, "usage: %s EVENTS_GLOB CATALOG_DIR RUN_RESULTS MANIFEST DB THREADS\n", argv[0]);
    return 2;
  }
  std::ifstream results_file(argv[3]), manifest_file(argv[4]);
  const auto results = nlohmann::json::parse(results_file, nullptr, false);
  const auto manifest = nlohmann::json::parse(manifest_file, nullptr, false);
  if (results.is_discarded() || manifest.is_discarded()) {
    std::fprintf(stderr, "cannot read %s or %s\n", argv[3], argv[4]);
    return 2;
  }
  std::remove(argv[5]);
  auto db = playlake::warehouse::Database::Open(argv[5], {.threads = std::stoi(argv[6]), .memory_limit = "",
                                                          .read_only = false});
  if (!db) {
    std::fprintf(stderr, "%s\n", db.error().message.c_str());
    return 1;
  }
  auto conn = (*db)->Connect();
  if (!conn) return 1;
  auto run = [&](const std::string& sql) {
    auto s = (*conn)->Execute(sql);
    if (!s) std::fprintf(stderr, "%s\nin: %.300s\n", s.error().message.c_str(), sql.c_str());
    return static_cast<bool>(s);
  };

  const auto start = Clock::now();
  if (!run("SET preserve_insertion_order = false; SET TimeZone = 'UTC'")) return 1;
  if (!run(SilverSql(argv[1], argv[2]))) return 1;
  const double silver_s = Since(start);

  double models_s = 0, tests_s = 0;
  int failed_tests = 0;
  run("CREATE SCHEMA IF NOT EXISTS snapshots");
  for (const auto& node : results["results"]) {
    const auto text = [&node](const char* key) {
      return node.contains(key) && node[key].is_string() ? node[key].get<std::string>() : std::string();
    };
    const std::string id = text("unique_id"), code = text("compiled_code"), relation = text("relation_name");
    const auto node_start = Clock::now();
    if (id.rfind("test.", 0) == 0) {
      auto count = (*conn)->QueryScalar("SELECT count(*) FROM (" + code + ")");
      if (!count || *count != "0") ++failed_tests;
      tests_s += Since(node_start);
      continue;
    }
    std::string materialized = "table";
    if (manifest["nodes"].contains(id)) {
      const auto& config = manifest["nodes"][id]["config"];
      if (config.contains("materialized") && config["materialized"].is_string()) materialized = config["materialized"];
    }
    std::string sql;
    if (id.rfind("snapshot.", 0) == 0) {
      sql = "CREATE TABLE " + relation + " AS SELECT *, md5(random()::VARCHAR) AS dbt_scd_id, "
            "now()::TIMESTAMP AS dbt_updated_at, now()::TIMESTAMP AS dbt_valid_from, "
            "NULL::TIMESTAMP AS dbt_valid_to FROM (" + code + ")";
    } else if (materialized == "view") {
      sql = "CREATE VIEW " + relation + " AS " + code;
    } else if (materialized == "ephemeral") {
      continue;
    } else {
      sql = "CREATE TABLE " + relation + " AS " + code;
    }
    if (!run(sql)) return 1;
    models_s += Since(node_start);
  }
  std::printf("silver %.3f\nmodels %.3f\ntests %.3f\ntotal %.3f\nfailed_tests %d\n", silver_s, models_s, tests_s,
              Since(start), failed_tests);
  return 0;
}
