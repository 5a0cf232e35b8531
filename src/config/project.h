// The project file, playlake.yml, parsed once into documented structs.
//
// Every key is optional and has a default; an unknown key, a wrong type or an
// out-of-range value is an Error{kConfig} naming the key path (e.g.
// "server.port") and the file. Paths in the file are relative to the project
// folder and are resolved to absolute paths here. Secrets never live in the
// file: keys ending in `_env` name an environment variable instead.
// The format is documented in docs/project.md.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "config/cron.h"

namespace playlake::config {

// sources[].kafka: a Kafka source, read continuously by `playlake stream`
// (docs/streaming.md).
struct KafkaSourceConfig {
  std::string brokers;              // kafka.brokers: bootstrap servers, required
  std::vector<std::string> topics;  // kafka.topics: one name or a list, required
  std::string group = "playlake";   // kafka.group: consumer group
  // kafka.properties: librdkafka properties passed through (SASL, TLS, ...),
  // then kafka.properties_env: property → environment variable holding its
  // value (secrets such as sasl.password), read here.
  std::map<std::string, std::string> properties;
  int flush_interval_ms = 2000;         // kafka.flush_interval_ms: a partition's batch age limit
  std::int64_t flush_bytes = 16 << 20;  // kafka.flush_bytes: a partition's batch size limit
  std::int64_t max_buffer_bytes = 64 << 20;  // kafka.max_buffer_bytes: all batches together
  // kafka.compact_target_bytes: size of the files the stream's compactor
  // merges small silver files into; 0 turns background compaction off.
  std::int64_t compact_target_bytes = std::int64_t{128} << 20;
  int compact_min_files = 10;  // kafka.compact_min_files: small files a partition needs first
  // kafka.dedupe_budget_bytes: memory for the keys of committed plays a
  // worker keeps to drop resent ones (docs/streaming.md, "Duplicated messages").
  std::int64_t dedupe_budget_bytes = std::int64_t{256} << 20;
  // kafka.on_offset_gap: what the worker does when offsets the lake has not
  // read are gone from the brokers: "quarantine" (default: a quarantine row
  // per gap, then on from the first offset left) or "stop" (an error).
  bool stop_on_offset_gap = false;
};

// sources[].spotify_api: the Spotify Web API, pulled by `playlake run` and
// `playlake spotify pull` with the project's saved login (docs/spotify.md).
struct SpotifyApiSourceConfig {
  // spotify_api.pulls: any of recently_played, top_tracks, top_artists,
  // saved_tracks, playlists (the user's playlists and their items); default all.
  std::vector<std::string> pulls = {"recently_played", "top_tracks", "top_artists", "saved_tracks",
                                    "playlists"};
  bool enrichment = true;  // spotify_api.enrichment: look up the catalog behind every play
  std::string api_base = "https://api.spotify.com/v1";         // spotify_api.api_base
  std::string accounts_base = "https://accounts.spotify.com";  // spotify_api.accounts_base
  int concurrency = 4;  // spotify_api.concurrency: requests in flight at once, 1..16
  // spotify_api.refresh_age_days: catalog rows older than this are looked up again.
  int refresh_age_days = 30;
  // spotify_api.client_secret_env: variable holding the app's client secret,
  // needed only for app access (client credentials); client_secret: its value.
  std::string client_secret_env = "SPOTIFY_CLIENT_SECRET";
  std::string client_secret;
};

struct SourceConfig {
  std::string name;                  // sources[].name, unique
  std::string format = "auto";       // auto|playlake|eventsim|msd-song|spotify-history|spotify-legacy|csv
  std::vector<std::string> paths;    // files, folders or globs, absolute after loading
  std::string user;                  // listener of Spotify exports and CSVs without a user
  // sources[].csv: how a CSV's columns become play fields (docs/silver.md, CSV input).
  std::vector<std::pair<std::string, std::string>> csv_columns;  // csv.columns: field → column
  std::string csv_timestamp_format;                              // csv.timestamp_format
  // IANA time zone of the listener of an export ("Europe/Berlin"); empty: the
  // zone of each play's connection country (docs/silver.md, "Local time").
  std::string timezone;
  // Set for a Kafka source (which then has no paths; format playlake or eventsim).
  std::optional<KafkaSourceConfig> kafka;
  // Set for a Spotify Web API source (which then has no paths).
  std::optional<SpotifyApiSourceConfig> spotify_api;
};

// What bronze keeps of personal data in inputs (docs/privacy.md).
struct PrivacyConfig {
  // privacy.bronze_ip_addresses: "redact" (default) masks exports' IP
  // addresses before they reach bronze; "keep" stores the file unchanged.
  // Silver never has them either way.
  std::string bronze_ip_addresses = "redact";
};

struct ServerConfig {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token_env = "PLAYLAKE_TOKEN";  // variable holding the API token
  std::string token;                         // its value, read by LoadProject; never logged
};

// When `playlake schedule` and `playlake serve` run the pipeline by themselves.
struct ScheduleConfig {
  std::optional<Cron> cron;  // schedule.cron (UTC); none: only when someone runs it
};

// Where a failed run (and the next successful one) is reported.
struct AlertConfig {
  std::string webhook_env = "PLAYLAKE_ALERT_WEBHOOK";  // variable holding the webhook URL
  std::string webhook;  // its value, read by LoadProject (it is a secret); empty: no alerts
};

// s3: where a lake at `lake: s3://bucket/prefix` is (docs/deploy.md). Empty
// values take the AWS environment variables' defaults when the lake is opened.
struct S3LakeConfig {
  std::string endpoint;          // s3.endpoint, e.g. http://127.0.0.1:9000
  std::string region;            // s3.region
  std::filesystem::path cache;   // s3.cache: the local cache of the lake's files
};

// publish.clickhouse: where `playlake run` publishes gold after each build
// (docs/deploy.md). Set when url is not empty.
struct ClickHouseConfig {
  std::string url;                                // publish.clickhouse.url
  std::string database;                           // .database; default: the project name
  std::string user_env = "CLICKHOUSE_USER";       // .user_env: variable holding the user
  std::string password_env = "CLICKHOUSE_PASSWORD";  // .password_env
  std::string user, password;  // their values, read by LoadProject (secrets)
};

struct ProjectConfig {
  std::filesystem::path root;        // the project folder
  std::string name = "playlake";
  std::filesystem::path lake;        // default: <root>/lake; or s3://bucket/prefix
  S3LakeConfig s3;
  std::filesystem::path warehouse;   // default: <root>/warehouse.duckdb
  std::filesystem::path models;      // default: the models shipped with playlake (models/)
  int threads = 0;                   // 0: all cores
  // `vars:`, over the model project's vars (scalars as written; `--vars` wins).
  std::map<std::string, std::string> vars;
  std::vector<SourceConfig> sources;
  ServerConfig server;
  ScheduleConfig schedule;
  AlertConfig alerts;
  PrivacyConfig privacy;
  ClickHouseConfig clickhouse;
};

// Parses YAML `text` as if it were the file `root`/playlake.yml.
Result<ProjectConfig> ParseProject(const std::string& text, const std::filesystem::path& root);

// Loads `dir`/playlake.yml. A missing file is Error{kConfig} telling the user
// to run `playlake init`.
Result<ProjectConfig> LoadProject(const std::filesystem::path& dir);

}  // namespace playlake::config
