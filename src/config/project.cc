#include "config/project.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <set>

#include "common/input_formats.h"
#include "common/shipped_files.h"
#include "config/yaml.h"

namespace playlake::config {
namespace {

// An IANA zone name: "UTC", or Area/Location of letters, digits, _ - + and /.
// Where the system has the zone database (Debian's tzdata), the zone must be
// in it: a typo would otherwise only fail the gold build.
bool IsTimeZoneName(const std::string& zone) {
  if (zone == "UTC") return true;
  if (zone.find('/') == std::string::npos || zone.front() == '/' ||
      zone.find("..") != std::string::npos) {
    return false;
  }
  for (char c : zone) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '+' || c == '/';
    if (!ok) return false;
  }
  const std::filesystem::path database = "/usr/share/zoneinfo";
  std::error_code ec;
  if (!std::filesystem::is_directory(database, ec)) return true;
  return std::filesystem::is_regular_file(database / zone, ec);
}

// Walks a YAML tree, remembering the key path for error messages.
class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  tl::unexpected<Error> Bad(const std::string& key, const std::string& what) const {
    return Fail(ErrorCode::kConfig, fmt::format("{}: {}: {}", file_, key, what));
  }

  Status CheckKeys(const YAML::Node& map, const std::string& path,
                   const std::set<std::string>& allowed) const {
    if (!map.IsMap()) return Bad(path.empty() ? "(top level)" : path, "expected a mapping");
    for (const auto& entry : map) {
      if (!entry.first.IsScalar()) {
        return Bad(path.empty() ? "(top level)" : path,
                   fmt::format("line {}: expected a key name, not a list or mapping",
                               LineOf(entry.first)));
      }
      const std::string key = entry.first.Scalar();
      if (!allowed.contains(key)) {
        std::string known;
        for (const auto& k : allowed) known += (known.empty() ? "" : ", ") + k;
        return Bad(Join(path, key), fmt::format("unknown key (known keys: {})", known));
      }
    }
    return {};
  }

  template <typename T>
  Status Get(const YAML::Node& map, const std::string& path, const std::string& key,
             T& out) const {
    const YAML::Node node = map[key];
    if (!node) return {};
    if (!node.IsScalar()) return Bad(Join(path, key), "expected a single value");
    try {
      out = node.as<T>();
    } catch (const YAML::Exception&) {
      return Bad(Join(path, key), fmt::format("cannot read '{}' as {}", node.Scalar(),
                                              std::is_integral_v<T> ? "an integer" : "text"));
    }
    return {};
  }

  static std::string Join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  std::string file_;
};

std::filesystem::path Resolve(const std::filesystem::path& root, const std::string& value) {
  std::filesystem::path p(value);
  return p.is_absolute() ? p : (root / p).lexically_normal();
}

// sources[].csv: {columns: {field: column, ...}, timestamp_format: ...}. The
// field names and the format are checked where they are known (the ingest).
Status ReadCsv(const Reader& r, const YAML::Node& node, const std::string& path,
               SourceConfig& source) {
  const YAML::Node csv = node["csv"];
  if (!csv) return {};
  const std::string key = path + ".csv";
  if (auto s = r.CheckKeys(csv, key, {"columns", "timestamp_format"}); !s) return s;
  if (auto s = r.Get(csv, key, "timestamp_format", source.csv_timestamp_format); !s) return s;
  const YAML::Node columns = csv["columns"];
  if (!columns) return {};
  if (!columns.IsMap()) return r.Bad(key + ".columns", "expected a mapping of field: column");
  for (const auto& entry : columns) {
    if (!entry.first.IsScalar()) return r.Bad(key + ".columns", "expected field names as keys");
    const std::string field = entry.first.Scalar();
    if (!entry.second.IsScalar()) {
      return r.Bad(key + ".columns." + field, "expected the name of a column");
    }
    source.csv_columns.emplace_back(field, entry.second.Scalar());
  }
  return {};
}

// A mapping of text → text at `key` (kafka.properties, kafka.properties_env).
Result<std::map<std::string, std::string>> ReadTextMap(const Reader& r, const YAML::Node& node,
                                                       const std::string& key) {
  std::map<std::string, std::string> out;
  if (!node) return out;
  if (!node.IsMap()) return r.Bad(key, "expected a mapping of name: value");
  for (const auto& entry : node) {
    if (!entry.first.IsScalar() || !entry.second.IsScalar()) {
      return r.Bad(key, fmt::format("line {}: expected name: value", LineOf(entry.first)));
    }
    out[entry.first.Scalar()] = entry.second.Scalar();
  }
  return out;
}

// sources[].spotify_api: what to pull from the Spotify Web API (docs/spotify.md).
Status ReadSpotifyApi(const Reader& r, const YAML::Node& node, const std::string& path,
                      SourceConfig& source) {
  if (!node["spotify_api"]) return {};
  // `spotify_api:` alone takes every default.
  const YAML::Node api =
      node["spotify_api"].IsNull() ? YAML::Node(YAML::NodeType::Map) : node["spotify_api"];
  const std::string key = path + ".spotify_api";
  if (auto s = r.CheckKeys(
          api, key,
          {"pulls", "enrichment", "api_base", "accounts_base", "concurrency", "refresh_age_days",
           "client_secret_env"});
      !s) {
    return s;
  }
  SpotifyApiSourceConfig c;
  if (auto s = r.Get(api, key, "enrichment", c.enrichment); !s) return s;
  if (auto s = r.Get(api, key, "api_base", c.api_base); !s) return s;
  if (auto s = r.Get(api, key, "accounts_base", c.accounts_base); !s) return s;
  if (auto s = r.Get(api, key, "concurrency", c.concurrency); !s) return s;
  if (auto s = r.Get(api, key, "refresh_age_days", c.refresh_age_days); !s) return s;
  if (auto s = r.Get(api, key, "client_secret_env", c.client_secret_env); !s) return s;
  if (const YAML::Node pulls = api["pulls"]) {
    static const std::set<std::string> kPulls = {"recently_played", "top_tracks", "top_artists",
                                                 "saved_tracks", "playlists"};
    if (!pulls.IsSequence()) return r.Bad(key + ".pulls", "expected a list of pulls");
    c.pulls.clear();
    for (const auto& p : pulls) {
      if (!p.IsScalar() || !kPulls.contains(p.Scalar())) {
        return r.Bad(key + ".pulls",
                     fmt::format("unknown pull '{}' (known: playlists, recently_played, "
                                 "saved_tracks, top_artists, top_tracks)",
                                 p.IsScalar() ? p.Scalar() : "a list or mapping"));
      }
      c.pulls.push_back(p.Scalar());
    }
  }
  for (std::string* base : {&c.api_base, &c.accounts_base}) {
    if (!base->starts_with("https://") && !base->starts_with("http://127.0.0.1:")) {
      return r.Bad(key + (base == &c.api_base ? ".api_base" : ".accounts_base"),
                   fmt::format("'{}' must be an https:// URL (or http://127.0.0.1:PORT for a "
                               "local test server)",
                               *base));
    }
    while (base->ends_with('/')) base->pop_back();
  }
  if (c.concurrency < 1 || c.concurrency > 16) {
    return r.Bad(key + ".concurrency", "must be 1 to 16");
  }
  if (c.refresh_age_days < 1 || c.refresh_age_days > 3650) {
    return r.Bad(key + ".refresh_age_days", "must be 1 to 3650");
  }
  if (source.format != "auto") {
    return r.Bad(path + ".format", "a spotify_api source has no format (it reads the Web API)");
  }
  if (const char* secret = std::getenv(c.client_secret_env.c_str())) c.client_secret = secret;
  source.spotify_api = std::move(c);
  return {};
}

// sources[].kafka: brokers, topics, group, properties, properties_env and the
// flush limits (docs/streaming.md).
Status ReadKafka(const Reader& r, const YAML::Node& node, const std::string& path,
                 SourceConfig& source) {
  const YAML::Node kafka = node["kafka"];
  if (!kafka) return {};
  const std::string key = path + ".kafka";
  if (auto s = r.CheckKeys(
          kafka, key,
          {"brokers", "topics", "group", "properties", "properties_env", "flush_interval_ms",
           "flush_bytes", "max_buffer_bytes", "compact_target_bytes", "compact_min_files",
           "dedupe_budget_bytes", "on_offset_gap"});
      !s) {
    return s;
  }
  KafkaSourceConfig k;
  if (auto s = r.Get(kafka, key, "brokers", k.brokers); !s) return s;
  if (auto s = r.Get(kafka, key, "group", k.group); !s) return s;
  if (auto s = r.Get(kafka, key, "flush_interval_ms", k.flush_interval_ms); !s) return s;
  if (auto s = r.Get(kafka, key, "flush_bytes", k.flush_bytes); !s) return s;
  if (auto s = r.Get(kafka, key, "max_buffer_bytes", k.max_buffer_bytes); !s) return s;
  if (auto s = r.Get(kafka, key, "compact_target_bytes", k.compact_target_bytes); !s) return s;
  if (auto s = r.Get(kafka, key, "compact_min_files", k.compact_min_files); !s) return s;
  if (auto s = r.Get(kafka, key, "dedupe_budget_bytes", k.dedupe_budget_bytes); !s) return s;
  std::string on_gap = "quarantine";
  if (auto s = r.Get(kafka, key, "on_offset_gap", on_gap); !s) return s;
  if (on_gap != "quarantine" && on_gap != "stop") {
    return r.Bad(key + ".on_offset_gap", "must be quarantine or stop");
  }
  k.stop_on_offset_gap = on_gap == "stop";
  if (k.brokers.empty()) return r.Bad(key + ".brokers", "is required (host:port[,host:port...])");
  if (k.group.empty()) return r.Bad(key + ".group", "must not be empty");
  const YAML::Node topics = kafka["topics"];
  if (topics && topics.IsScalar()) {
    k.topics.push_back(topics.Scalar());
  } else if (topics && topics.IsSequence()) {
    for (const auto& t : topics) {
      if (!t.IsScalar()) return r.Bad(key + ".topics", "expected topic names");
      k.topics.push_back(t.Scalar());
    }
  }
  if (k.topics.empty()) return r.Bad(key + ".topics", "is required (a topic name or a list)");
  if (k.flush_interval_ms < 10 || k.flush_interval_ms > 3'600'000) {
    return r.Bad(key + ".flush_interval_ms", "must be 10 to 3600000 (one hour)");
  }
  if (k.flush_bytes < 1024 || k.flush_bytes > (std::int64_t{1} << 30)) {
    return r.Bad(key + ".flush_bytes", "must be 1024 to 1073741824 (1 GiB)");
  }
  if (k.max_buffer_bytes < k.flush_bytes) {
    return r.Bad(key + ".max_buffer_bytes", "must be at least flush_bytes");
  }
  if (k.compact_target_bytes != 0 &&
      (k.compact_target_bytes < (1 << 20) || k.compact_target_bytes > (std::int64_t{1} << 34))) {
    return r.Bad(key + ".compact_target_bytes",
                 "must be 0 (off) or 1048576 (1 MiB) to 17179869184 (16 GiB)");
  }
  if (k.compact_min_files < 2 || k.compact_min_files > 100000) {
    return r.Bad(key + ".compact_min_files", "must be 2 to 100000");
  }
  if (k.dedupe_budget_bytes < (1 << 20)) {
    return r.Bad(key + ".dedupe_budget_bytes", "must be at least 1048576 (1 MiB)");
  }
  auto properties = ReadTextMap(r, kafka["properties"], key + ".properties");
  if (!properties) return tl::unexpected(properties.error());
  k.properties = std::move(*properties);
  auto from_env = ReadTextMap(r, kafka["properties_env"], key + ".properties_env");
  if (!from_env) return tl::unexpected(from_env.error());
  for (const auto& [property, variable] : *from_env) {
    const char* value = std::getenv(variable.c_str());
    if (value == nullptr) {
      return r.Bad(key + ".properties_env." + property,
                   fmt::format("the environment variable {} is not set", variable));
    }
    k.properties[property] = value;
  }
  // The worker resumes at the earliest offset the brokers hold, where it
  // records what they deleted (docs/streaming.md); "latest" would jump over
  // a backlog, "error" stall.
  if (k.properties.contains("auto.offset.reset")) {
    return r.Bad(key + ".properties.auto.offset.reset",
                 "is set by Playlake (earliest: offsets the brokers deleted are detected and "
                 "recorded); remove it");
  }
  if (source.format == "auto") source.format = "playlake";
  if (source.format != "playlake" && source.format != "eventsim") {
    return r.Bad(path + ".format",
                 "a Kafka source carries playlake or eventsim events, one a message");
  }
  source.kafka = std::move(k);
  return {};
}

// Reads the parsed playlake.yml `doc` of project `root`.
Result<ProjectConfig> ReadProject(const YAML::Node& doc, const std::filesystem::path& root,
                                  const Reader& r) {
  ProjectConfig config;
  config.root = std::filesystem::absolute(root).lexically_normal();
  config.lake = config.root / "lake";
  config.warehouse = config.root / "warehouse.duckdb";
  // The model project shipped with Playlake, unless playlake.yml names one.
  const auto shipped = ShippedDir();
  if (shipped) config.models = *shipped / "models";
  if (doc.IsNull()) {
    return shipped ? Result<ProjectConfig>(config) : tl::unexpected(shipped.error());
  }

  if (auto s = r.CheckKeys(doc, "",
                           {"name", "lake", "warehouse", "models", "threads", "vars", "sources",
                            "server", "schedule", "alerts", "privacy", "s3", "publish"});
      !s) {
    return tl::unexpected(s.error());
  }
  std::string lake, warehouse, models;
  if (auto s = r.Get(doc, "", "name", config.name); !s) return tl::unexpected(s.error());
  if (auto s = r.Get(doc, "", "lake", lake); !s) return tl::unexpected(s.error());
  if (auto s = r.Get(doc, "", "warehouse", warehouse); !s) return tl::unexpected(s.error());
  if (auto s = r.Get(doc, "", "models", models); !s) return tl::unexpected(s.error());
  if (auto s = r.Get(doc, "", "threads", config.threads); !s) return tl::unexpected(s.error());
  if (config.threads < 0 || config.threads > 1024) {
    return r.Bad("threads", fmt::format("must be between 0 and 1024, not {}", config.threads));
  }
  auto vars = ReadTextMap(r, doc["vars"], "vars");
  if (!vars) return tl::unexpected(vars.error());
  config.vars = std::move(*vars);
  if (lake.starts_with("s3://")) {
    config.lake = lake;
  } else if (!lake.empty()) {
    config.lake = Resolve(config.root, lake);
  }
  if (const YAML::Node s3 = doc["s3"]) {
    if (auto s = r.CheckKeys(s3, "s3", {"endpoint", "region", "cache"}); !s) {
      return tl::unexpected(s.error());
    }
    std::string cache;
    if (auto s = r.Get(s3, "s3", "endpoint", config.s3.endpoint); !s) return tl::unexpected(s.error());
    if (auto s = r.Get(s3, "s3", "region", config.s3.region); !s) return tl::unexpected(s.error());
    if (auto s = r.Get(s3, "s3", "cache", cache); !s) return tl::unexpected(s.error());
    if (!cache.empty()) config.s3.cache = Resolve(config.root, cache);
  }
  if (!warehouse.empty()) config.warehouse = Resolve(config.root, warehouse);
  if (!models.empty()) {
    config.models = Resolve(config.root, models);
  } else if (!shipped) {
    return tl::unexpected(shipped.error());
  }

  if (const YAML::Node server = doc["server"]) {
    if (auto s = r.CheckKeys(server, "server", {"host", "port", "token_env"}); !s) {
      return tl::unexpected(s.error());
    }
    if (auto s = r.Get(server, "server", "host", config.server.host); !s) return tl::unexpected(s.error());
    if (auto s = r.Get(server, "server", "port", config.server.port); !s) return tl::unexpected(s.error());
    if (auto s = r.Get(server, "server", "token_env", config.server.token_env); !s) {
      return tl::unexpected(s.error());
    }
    if (config.server.port < 1 || config.server.port > 65535) {
      return r.Bad("server.port", fmt::format("must be between 1 and 65535, not {}",
                                              config.server.port));
    }
  }

  if (const YAML::Node schedule = doc["schedule"]) {
    if (auto s = r.CheckKeys(schedule, "schedule", {"cron"}); !s) return tl::unexpected(s.error());
    std::string expression;
    if (auto s = r.Get(schedule, "schedule", "cron", expression); !s) return tl::unexpected(s.error());
    if (!expression.empty()) {
      auto cron = Cron::Parse(expression);
      if (!cron) return r.Bad("schedule.cron", cron.error().message);
      config.schedule.cron = std::move(*cron);
    }
  }

  if (const YAML::Node alerts = doc["alerts"]) {
    if (auto s = r.CheckKeys(alerts, "alerts", {"webhook_env"}); !s) return tl::unexpected(s.error());
    if (auto s = r.Get(alerts, "alerts", "webhook_env", config.alerts.webhook_env); !s) {
      return tl::unexpected(s.error());
    }
  }

  if (const YAML::Node publish = doc["publish"]) {
    if (auto s = r.CheckKeys(publish, "publish", {"clickhouse"}); !s) return tl::unexpected(s.error());
    if (const YAML::Node ch = publish["clickhouse"]) {
      ClickHouseConfig& c = config.clickhouse;
      const std::string at = "publish.clickhouse";
      if (auto s = r.CheckKeys(ch, at, {"url", "database", "user_env", "password_env"}); !s) {
        return tl::unexpected(s.error());
      }
      for (auto [key, value] : {std::pair{"url", &c.url}, {"database", &c.database},
                                {"user_env", &c.user_env}, {"password_env", &c.password_env}}) {
        if (auto s = r.Get(ch, at, key, *value); !s) return tl::unexpected(s.error());
      }
      if (!c.url.starts_with("http://") && !c.url.starts_with("https://")) {
        return r.Bad(at + ".url", fmt::format("must be ClickHouse's HTTP interface, such as "
                                              "http://127.0.0.1:8123, not '{}'",
                                              c.url));
      }
      if (c.database.empty()) c.database = config.name;
    }
  }

  if (const YAML::Node privacy = doc["privacy"]) {
    if (auto s = r.CheckKeys(privacy, "privacy", {"bronze_ip_addresses"}); !s) {
      return tl::unexpected(s.error());
    }
    std::string& ip = config.privacy.bronze_ip_addresses;
    if (auto s = r.Get(privacy, "privacy", "bronze_ip_addresses", ip); !s)
      return tl::unexpected(s.error());
    if (ip != "redact" && ip != "keep") {
      return r.Bad("privacy.bronze_ip_addresses",
                   fmt::format("must be redact or keep, not '{}'", ip));
    }
  }

  if (const YAML::Node sources = doc["sources"]) {
    if (!sources.IsSequence()) return r.Bad("sources", "expected a list of sources");
    std::set<std::string> names;
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const std::string path = fmt::format("sources[{}]", i);
      const YAML::Node node = sources[i];
      if (auto s = r.CheckKeys(
              node, path,
              {"name", "format", "path", "user", "csv", "timezone", "kafka", "spotify_api"});
          !s) {
        return tl::unexpected(s.error());
      }
      SourceConfig source;
      if (auto s = r.Get(node, path, "name", source.name); !s) return tl::unexpected(s.error());
      if (auto s = r.Get(node, path, "format", source.format); !s) return tl::unexpected(s.error());
      if (auto s = r.Get(node, path, "user", source.user); !s) return tl::unexpected(s.error());
      if (auto s = ReadCsv(r, node, path, source); !s) return tl::unexpected(s.error());
      if (auto s = r.Get(node, path, "timezone", source.timezone); !s)
        return tl::unexpected(s.error());
      if (!source.timezone.empty() && !IsTimeZoneName(source.timezone)) {
        return r.Bad(path + ".timezone",
                     fmt::format("'{}' is not an IANA time zone name such as Europe/Berlin or "
                                 "America/New_York",
                                 source.timezone));
      }
      if (source.name.empty()) return r.Bad(path + ".name", "is required");
      if (!names.insert(source.name).second) {
        return r.Bad(path + ".name", fmt::format("'{}' is used by another source", source.name));
      }
      if (!IsInputFormatName(source.format, true)) {
        return r.Bad(path + ".format", fmt::format("unknown format '{}' (known: {})", source.format,
                                                   InputFormatList(true)));
      }
      if (auto s = ReadKafka(r, node, path, source); !s) return tl::unexpected(s.error());
      if (auto s = ReadSpotifyApi(r, node, path, source); !s) return tl::unexpected(s.error());
      const YAML::Node paths = node["path"];
      if (source.spotify_api) {
        if (paths || source.kafka) {
          return r.Bad(path + ".spotify_api", "a spotify_api source has no path and no kafka");
        }
        config.sources.push_back(std::move(source));
        continue;
      }
      if (source.kafka) {
        if (paths) return r.Bad(path + ".path", "a Kafka source has no path (it reads its topics)");
        config.sources.push_back(std::move(source));
        continue;
      }
      if (!paths) return r.Bad(path + ".path", "is required (a file, folder or glob, or a list)");
      if (paths.IsScalar()) {
        source.paths.push_back(Resolve(config.root, paths.Scalar()).string());
      } else if (paths.IsSequence()) {
        for (std::size_t k = 0; k < paths.size(); ++k) {
          if (!paths[k].IsScalar()) {
            return r.Bad(
                fmt::format("{}.path[{}]", path, k),
                fmt::format("line {}: expected a path, not a list or mapping", LineOf(paths[k])));
          }
          source.paths.push_back(Resolve(config.root, paths[k].Scalar()).string());
        }
      } else {
        return r.Bad(path + ".path", "expected a path or a list of paths");
      }
      if (source.paths.empty()) {
        return r.Bad(path + ".path", "is an empty list (a file, folder or glob, or a list of them)");
      }
      config.sources.push_back(std::move(source));
    }
  }
  return config;
}

}  // namespace

Result<ProjectConfig> ParseProject(const std::string& text, const std::filesystem::path& root) {
  const std::string file = (root / "playlake.yml").string();
  auto doc = ParseYaml(text, file);
  if (!doc) return tl::unexpected(doc.error());
  const Reader r(file);
  return GuardYaml(file, [&] { return ReadProject(*doc, root, r); });
}

Result<ProjectConfig> LoadProject(const std::filesystem::path& dir) {
  const auto file = dir / "playlake.yml";
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) {
    return Fail(ErrorCode::kConfig,
                fmt::format("no project file at {}: create one with `playlake init {}` or pass "
                            "--project DIR", file.string(), dir.string()));
  }
  auto text = ReadYamlText(file.string());
  if (!text) return tl::unexpected(text.error());
  auto config = ParseProject(*text, dir);
  if (config) {
    if (const char* token = std::getenv(config->server.token_env.c_str())) config->server.token = token;
    if (const char* url = std::getenv(config->alerts.webhook_env.c_str())) config->alerts.webhook = url;
    ClickHouseConfig& ch = config->clickhouse;
    if (const char* user = std::getenv(ch.user_env.c_str())) ch.user = user;
    if (const char* password = std::getenv(ch.password_env.c_str())) ch.password = password;
  }
  return config;
}

}  // namespace playlake::config
