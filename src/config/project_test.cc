#include "config/project.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace playlake::config {
namespace {

TEST(ProjectConfig, EmptyFileGivesDefaults) {
  auto config = ParseProject("", "/tmp/proj");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->lake, "/tmp/proj/lake");
  EXPECT_EQ(config->warehouse, "/tmp/proj/warehouse.duckdb");
  EXPECT_EQ(config->server.host, "127.0.0.1");
  EXPECT_EQ(config->server.port, 8080);
  EXPECT_FALSE(config->schedule.cron.has_value());
  EXPECT_EQ(config->alerts.webhook_env, "PLAYLAKE_ALERT_WEBHOOK");
}

TEST(ProjectConfig, ReadsEveryKey) {
  auto config = ParseProject(R"(
name: radio
lake: data/lake
warehouse: /srv/wh.duckdb
threads: 2
server: {host: 0.0.0.0, port: 9000, token_env: RADIO_TOKEN}
schedule: {cron: "*/10 * * * *"}
alerts: {webhook_env: RADIO_ALERTS}
sources:
  - {name: plays, format: playlake, path: in/*.jsonl}
  - name: mine
    format: spotify-history
    path: [a.json, /abs/b.json]
    user: alice
)", "/p");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->name, "radio");
  EXPECT_EQ(config->lake, "/p/data/lake");
  EXPECT_EQ(config->warehouse, "/srv/wh.duckdb");
  EXPECT_EQ(config->threads, 2);
  EXPECT_EQ(config->server.port, 9000);
  EXPECT_EQ(config->server.token_env, "RADIO_TOKEN");
  ASSERT_TRUE(config->schedule.cron.has_value());
  EXPECT_EQ(config->schedule.cron->expression(), "*/10 * * * *");
  EXPECT_EQ(config->alerts.webhook_env, "RADIO_ALERTS");
  ASSERT_EQ(config->sources.size(), 2u);
  EXPECT_EQ(config->sources[0].paths, std::vector<std::string>{"/p/in/*.jsonl"});
  EXPECT_EQ(config->sources[1].paths, (std::vector<std::string>{"/p/a.json", "/abs/b.json"}));
  EXPECT_EQ(config->sources[1].user, "alice");
}

TEST(ProjectConfig, ReadsALakeOnS3) {
  auto config = ParseProject(R"(
lake: s3://radio-lake/prod
s3: {endpoint: "http://127.0.0.1:9000", region: eu-west-1, cache: cache/lake}
)", "/p");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->lake.string(), "s3://radio-lake/prod");
  EXPECT_EQ(config->s3.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(config->s3.region, "eu-west-1");
  EXPECT_EQ(config->s3.cache, "/p/cache/lake");
  auto secret = ParseProject("lake: s3://b\ns3: {secret_access_key: x}\n", "/p");
  ASSERT_FALSE(secret.has_value());
  EXPECT_NE(secret.error().message.find("secret_access_key"), std::string::npos)
      << secret.error().message;
}

TEST(ProjectConfig, ReadsWhereToPublish) {
  auto config = ParseProject(
      "name: radio\npublish:\n  clickhouse: {url: \"http://127.0.0.1:8123\"}\n", "/p");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->clickhouse.url, "http://127.0.0.1:8123");
  EXPECT_EQ(config->clickhouse.database, "radio");
  EXPECT_EQ(config->clickhouse.password_env, "CLICKHOUSE_PASSWORD");
  auto bad = ParseProject("publish:\n  clickhouse: {url: 127.0.0.1:8123}\n", "/p");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("publish.clickhouse.url"), std::string::npos)
      << bad.error().message;
}

TEST(ProjectConfig, ReadsVarsForTheModelProject) {
  auto config = ParseProject("vars: {sparkify_tables: true, skip_threshold_ms: 20000}\n", "/p");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->vars, (std::map<std::string, std::string>{{"skip_threshold_ms", "20000"},
                                                               {"sparkify_tables", "true"}}));
  auto bad = ParseProject("vars: [sparkify_tables]\n", "/p");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("vars: expected a mapping"), std::string::npos)
      << bad.error().message;
}

struct BadCase {
  const char* yaml;
  const char* expected_in_message;
};

class ProjectConfigErrors : public testing::TestWithParam<BadCase> {};

TEST_P(ProjectConfigErrors, NameTheKey) {
  auto config = ParseProject(GetParam().yaml, "/p");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kConfig);
  EXPECT_NE(config.error().message.find(GetParam().expected_in_message), std::string::npos)
      << config.error().message;
  EXPECT_NE(config.error().message.find("/p/playlake.yml"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, ProjectConfigErrors,
    testing::Values(BadCase{"lakes: x", "lakes: unknown key"},
                    BadCase{"server: {port: 70000}", "server.port: must be between"},
                    BadCase{"server: {port: eighty}", "server.port: cannot read 'eighty'"},
                    BadCase{"server: {colour: red}", "server.colour: unknown key"},
                    BadCase{"threads: -1", "threads: must be between"},
                    BadCase{"sources: {a: 1}", "sources: expected a list"},
                    BadCase{"sources: [{name: a}]", "sources[0].path: is required"},
                    BadCase{"sources: [{name: a, path: []}]", "sources[0].path: is an empty list"},
                    BadCase{"sources: [{name: a, path: x, format: xml}]",
                            "sources[0].format: unknown format 'xml'"},
                    BadCase{"sources: [{name: a, path: x}, {name: a, path: y}]",
                            "sources[1].name: 'a' is used"},
                    BadCase{"schedule: {cron: '61 * * * *'}", "schedule.cron: cron expression '61"},
                    BadCase{"schedule: {every: 5m}", "schedule.every: unknown key"},
                    BadCase{"alerts: {webhook: 'http://x'}", "alerts.webhook: unknown key"},
                    BadCase{"name: [unclosed", "invalid YAML"},
                    BadCase{"sources: [{name: a, path: [[a]]}]",
                            "sources[0].path[0]: line 1: expected a path"},
                    BadCase{"sources: [{name: a, path: x}]\n[a]: 1", "expected a key name"},
                    BadCase{"name: a\nname: b", "playlake.yml:2: key 'name' is given twice"},
                    BadCase{"server:\n  port: 1\n  port: 2", "playlake.yml:3: key 'port'"},
                    BadCase{"name: \"radio\nlake: x\n", "playlake.yml:1: the quote"},
                    BadCase{"lake: {a: 1}", "lake: expected a single value"},
                    BadCase{"server: [1]", "server: expected a mapping"},
                    BadCase{"sources: [{name: k, kafka: {topics: t}}]",
                            "sources[0].kafka.brokers: is required"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b}}]",
                            "sources[0].kafka.topics: is required"},
                    BadCase{"sources: [{name: k, path: x, kafka: {brokers: b, topics: t}}]",
                            "sources[0].path: a Kafka source has no path"},
                    BadCase{"sources: [{name: k, format: csv, kafka: {brokers: b, topics: t}}]",
                            "sources[0].format: a Kafka source carries playlake or eventsim"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, flush_bytes: 1}}]",
                            "sources[0].kafka.flush_bytes: must be 1024"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, "
                            "compact_target_bytes: 1000}}]",
                            "sources[0].kafka.compact_target_bytes: must be 0 (off) or 1048576"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, "
                            "compact_min_files: 1}}]",
                            "sources[0].kafka.compact_min_files: must be 2 to 100000"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, "
                            "dedupe_budget_bytes: 1000}}]",
                            "sources[0].kafka.dedupe_budget_bytes: must be at least 1048576"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, "
                            "properties_env: {sasl.password: PLAYLAKE_TEST_UNSET_VARIABLE}}}]",
                            "properties_env.sasl.password: the environment variable "
                            "PLAYLAKE_TEST_UNSET_VARIABLE is not set"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, "
                            "on_offset_gap: skip}}]",
                            "sources[0].kafka.on_offset_gap: must be quarantine or stop"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, "
                            "properties: {auto.offset.reset: latest}}}]",
                            "sources[0].kafka.properties.auto.offset.reset: is set by Playlake"},
                    BadCase{"sources: [{name: k, kafka: {brokers: b, topics: t, lag: 1}}]",
                            "sources[0].kafka.lag: unknown key"}));

TEST(ProjectConfig, ReadsAKafkaSource) {
  ::setenv("PLAYLAKE_TEST_KAFKA_SECRET", "s3cret", 1);
  auto config = ParseProject(R"(
sources:
  - name: live
    kafka:
      brokers: 10.0.0.1:9092,10.0.0.2:9092
      topics: [plays, plays-eu]
      group: lake-writers
      flush_interval_ms: 500
      flush_bytes: 4096
      max_buffer_bytes: 8192
      compact_target_bytes: 0
      compact_min_files: 4
      dedupe_budget_bytes: 1073741824
      on_offset_gap: stop
      properties: {security.protocol: SASL_SSL, sasl.mechanism: PLAIN}
      properties_env: {sasl.password: PLAYLAKE_TEST_KAFKA_SECRET}
)", "/p");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  ASSERT_EQ(config->sources.size(), 1u);
  const SourceConfig& s = config->sources[0];
  EXPECT_EQ(s.format, "playlake");
  EXPECT_TRUE(s.paths.empty());
  ASSERT_TRUE(s.kafka.has_value());
  EXPECT_EQ(s.kafka->brokers, "10.0.0.1:9092,10.0.0.2:9092");
  EXPECT_EQ(s.kafka->topics, (std::vector<std::string>{"plays", "plays-eu"}));
  EXPECT_EQ(s.kafka->group, "lake-writers");
  EXPECT_EQ(s.kafka->flush_interval_ms, 500);
  EXPECT_EQ(s.kafka->flush_bytes, 4096);
  EXPECT_EQ(s.kafka->max_buffer_bytes, 8192);
  EXPECT_EQ(s.kafka->compact_target_bytes, 0);
  EXPECT_EQ(s.kafka->compact_min_files, 4);
  EXPECT_EQ(s.kafka->dedupe_budget_bytes, std::int64_t{1} << 30);
  EXPECT_TRUE(s.kafka->stop_on_offset_gap);
  EXPECT_EQ(s.kafka->properties.at("security.protocol"), "SASL_SSL");
  EXPECT_EQ(s.kafka->properties.at("sasl.password"), "s3cret");
  auto defaults = ParseProject("sources: [{name: k, kafka: {brokers: b, topics: t}}]", "/p");
  ASSERT_TRUE(defaults.has_value()) << defaults.error().message;
  EXPECT_EQ(defaults->sources[0].kafka->group, "playlake");
  EXPECT_EQ(defaults->sources[0].kafka->flush_interval_ms, 2000);
  EXPECT_FALSE(defaults->sources[0].kafka->stop_on_offset_gap);
  EXPECT_EQ(defaults->sources[0].kafka->compact_target_bytes, 128 << 20);
  EXPECT_EQ(defaults->sources[0].kafka->compact_min_files, 10);
  EXPECT_EQ(defaults->sources[0].kafka->dedupe_budget_bytes, 256 << 20);
}

TEST(ProjectConfig, ReadsASpotifyApiSource) {
  auto config = ParseProject(R"(
sources:
  - name: me
    spotify_api:
      pulls: [recently_played, playlists]
      enrichment: false
      api_base: http://127.0.0.1:9999/v1/
      concurrency: 2
      refresh_age_days: 7
      client_secret_env: MY_SPOTIFY_SECRET
  - {name: defaults, spotify_api: }
)",
                             "/p");
  ASSERT_TRUE(config.has_value()) << config.error().message;
  ASSERT_EQ(config->sources.size(), 2u);
  const auto& api = config->sources[0].spotify_api;
  ASSERT_TRUE(api.has_value());
  EXPECT_EQ(api->pulls, (std::vector<std::string>{"recently_played", "playlists"}));
  EXPECT_FALSE(api->enrichment);
  EXPECT_EQ(api->api_base, "http://127.0.0.1:9999/v1");
  EXPECT_EQ(api->accounts_base, "https://accounts.spotify.com");
  EXPECT_EQ(api->concurrency, 2);
  EXPECT_EQ(api->refresh_age_days, 7);
  EXPECT_EQ(api->client_secret_env, "MY_SPOTIFY_SECRET");
  EXPECT_TRUE(config->sources[0].paths.empty());
  ASSERT_TRUE(config->sources[1].spotify_api.has_value());
  EXPECT_EQ(config->sources[1].spotify_api->pulls.size(), 5u);
  EXPECT_TRUE(config->sources[1].spotify_api->enrichment);
}

TEST(ProjectConfig, SpotifyApiErrorsNameTheKey) {
  const std::pair<const char*, const char*> cases[] = {
      {"{name: s, spotify_api: {pulls: [recent]}}",
       "sources[0].spotify_api.pulls: unknown pull 'recent'"},
      {"{name: s, spotify_api: {concurrency: 0}}",
       "sources[0].spotify_api.concurrency: must be 1 to 16"},
      {"{name: s, spotify_api: {api_base: 'http://example.com/v1'}}",
       "sources[0].spotify_api.api_base: 'http://example.com/v1' must be an https:// URL"},
      {"{name: s, spotify_api: {market: DE}}", "sources[0].spotify_api.market: unknown key"},
      {"{name: s, path: x.json, spotify_api: {}}",
       "sources[0].spotify_api: a spotify_api source has no path"},
      {"{name: s, format: csv, spotify_api: {}}",
       "sources[0].format: a spotify_api source has no format"},
  };
  for (const auto& [source, expected] : cases) {
    auto config = ParseProject(std::string("sources:\n  - ") + source + "\n", "/p");
    ASSERT_FALSE(config.has_value()) << source;
    EXPECT_NE(config.error().message.find(expected), std::string::npos)
        << source << ": " << config.error().message;
  }
}

TEST(ProjectConfig, FolderInPlaceOfTheFileIsAnError) {
  const auto dir = std::filesystem::temp_directory_path() / "playlake-folder-project";
  std::filesystem::create_directories(dir / "playlake.yml");
  auto config = LoadProject(dir);
  std::filesystem::remove_all(dir);
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, ErrorCode::kConfig);
  EXPECT_NE(config.error().message.find("playlake.yml is not a file"), std::string::npos)
      << config.error().message;
}

TEST(ProjectConfig, MissingFileSaysHowToCreateOne) {
  auto config = LoadProject("/nonexistent/project");
  ASSERT_FALSE(config.has_value());
  EXPECT_NE(config.error().message.find("playlake init"), std::string::npos);
}

}  // namespace
}  // namespace playlake::config

namespace playlake::config {
namespace {

TEST(ProjectConfig, PrivacyAndSourceTimezone) {
  auto defaults = ParseProject("", "/p");
  ASSERT_TRUE(defaults) << defaults.error().message;
  EXPECT_EQ(defaults->privacy.bronze_ip_addresses, "redact");
  auto config = ParseProject(R"(
privacy: {bronze_ip_addresses: keep}
sources:
  - {name: mine, format: spotify-history, path: a.json, user: alice, timezone: Europe/Berlin}
)", "/p");
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->privacy.bronze_ip_addresses, "keep");
  EXPECT_EQ(config->sources.at(0).timezone, "Europe/Berlin");
  for (const char* bad : {"privacy: {bronze_ip_addresses: sometimes}",
                          "sources: [{name: s, path: a.json, timezone: Europe/Berln}]",
                          "sources: [{name: s, path: a.json, timezone: 'CET; rm'}]"}) {
    auto refused = ParseProject(bad, "/p");
    ASSERT_FALSE(refused) << bad;
    EXPECT_TRUE(refused.error().message.find("privacy.bronze_ip_addresses") != std::string::npos ||
                refused.error().message.find("sources[0].timezone") != std::string::npos)
        << refused.error().message;
  }
}

}  // namespace
}  // namespace playlake::config
