#include "lake/manifest.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/hash.h"

namespace playlake::lake {

namespace {

using Observations = std::map<std::string, Observed>;

nlohmann::ordered_json ObservationsJson(const Observations& m) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [key, o] : m) j[key] = {{"count", o.count}, {"examples", o.examples}};
  return j;
}

Observations ObservationsFrom(const nlohmann::json& j) {
  Observations m;
  for (const auto& [key, o] : j.items()) {
    m[key] = Observed{o.at("count").get<std::int64_t>(),
                      o.value("examples", std::vector<std::string>())};
  }
  return m;
}

void MergeInto(Observations& into, const Observations& from) {
  for (const auto& [key, o] : from) {
    Observed& mine = into[key];
    mine.count += o.count;
    for (const auto& example : o.examples) {
      if (mine.examples.size() >= Observed::kMaxExamples) break;
      if (std::find(mine.examples.begin(), mine.examples.end(), example) == mine.examples.end()) {
        mine.examples.push_back(example);
      }
    }
  }
}

}  // namespace

void Drift::Merge(const Drift& other) {
  MergeInto(unknown_fields, other.unknown_fields);
  MergeInto(unknown_values, other.unknown_values);
  MergeInto(approximate_zones, other.approximate_zones);
}

namespace {
nlohmann::ordered_json DriftObject(const Drift& d) {
  return {{"unknown_fields", ObservationsJson(d.unknown_fields)},
          {"unknown_values", ObservationsJson(d.unknown_values)},
          {"approximate_zones", ObservationsJson(d.approximate_zones)}};
}
}  // namespace

std::string DriftToJson(const Drift& drift) { return DriftObject(drift).dump(); }

namespace {
// DuckDB's own name for a type Playlake may write with an alias; a list
// type keeps its "[]" suffixes.
std::string CanonicalType(std::string_view type) {
  const std::size_t base_end = type.find('[');
  const std::string_view base = type.substr(0, base_end);
  const std::string_view suffix =
      base_end == std::string_view::npos ? std::string_view() : type.substr(base_end);
  static constexpr std::pair<std::string_view, std::string_view> kAliases[] = {
      {"TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE"},
      {"INT8", "BIGINT"},
      {"INT64", "BIGINT"},
      {"LONG", "BIGINT"},
      {"INT", "INTEGER"},
      {"INT4", "INTEGER"},
      {"INT32", "INTEGER"},
      {"TEXT", "VARCHAR"},
      {"STRING", "VARCHAR"},
      {"BOOL", "BOOLEAN"},
      {"FLOAT8", "DOUBLE"},
      {"BYTEA", "BLOB"},
  };
  for (const auto& [alias, name] : kAliases) {
    if (base == alias) return std::string(name) + std::string(suffix);
  }
  return std::string(type);
}
}  // namespace

std::string SchemaFingerprint(const FileColumns& columns) {
  std::vector<std::pair<std::string, std::string>> canonical;
  canonical.reserve(columns.size());
  for (const auto& [name, type] : columns) canonical.emplace_back(name, CanonicalType(type));
  std::sort(canonical.begin(), canonical.end());
  std::string text;
  for (const auto& [name, type] : canonical) text += name + '\x1f' + type + '\x1e';
  return Hash128Hex(text).substr(0, 16);
}

std::string ManifestKey(const std::string& layer, const std::string& batch_id) {
  return fmt::format("_manifests/{}/{}.json", layer, batch_id);
}

std::string ToJson(const ManifestEntry& e) {
  nlohmann::ordered_json j;
  j["version"] = e.version;
  j["layer"] = e.layer;
  j["batch_id"] = e.batch_id;
  j["source"] = e.source;
  j["format"] = e.format;
  j["entity"] = e.entity;
  j["input"] = {{"path", e.input_path},
                {"size", e.input_size},
                {"checksum", e.input_checksum},
                {"modified_ns", e.input_modified_ns}};
  if (!e.user.empty()) j["user"] = e.user;
  j["committed_at_us"] = e.committed_at_us;
  j["files"] = nlohmann::ordered_json::array();
  for (const auto& f : e.files) {
    nlohmann::ordered_json file = {
        {"table", f.table}, {"key", f.key}, {"rows", f.rows}, {"bytes", f.bytes}};
    if (!f.schema.empty()) file["schema"] = f.schema;
    j["files"].push_back(std::move(file));
  }
  j["stats"] = e.stats;
  if (e.contract_version > 0) j["contract_version"] = e.contract_version;
  if (!e.drift.empty()) j["drift"] = DriftObject(e.drift);
  if (e.kafka) {
    j["kafka"] = {{"topic", e.kafka->topic},
                  {"partition", e.kafka->partition},
                  {"first_offset", e.kafka->first_offset},
                  {"last_offset", e.kafka->last_offset},
                  {"lines_offset", e.kafka->lines_offset}};
  }
  if (!e.replaces.empty()) j["replaces"] = e.replaces;
  return j.dump(1) + "\n";
}

Result<ManifestEntry> ManifestFromJson(const std::string& text, const std::string& origin) {
  try {
    const auto j = nlohmann::json::parse(text);
    ManifestEntry e;
    e.version = j.at("version").get<int>();
    if (e.version < 1 || e.version > kCompactionManifestVersion) {
      return Fail(ErrorCode::kData, fmt::format("{}: manifest version {} is newer than this "
                                                "playlake understands: upgrade playlake",
                                                origin, e.version));
    }
    e.layer = j.at("layer").get<std::string>();
    e.batch_id = j.at("batch_id").get<std::string>();
    e.source = j.at("source").get<std::string>();
    e.format = j.at("format").get<std::string>();
    e.entity = j.at("entity").get<std::string>();
    e.input_path = j.at("input").at("path").get<std::string>();
    e.input_size = j.at("input").at("size").get<std::uint64_t>();
    e.input_checksum = j.at("input").at("checksum").get<std::string>();
    e.input_modified_ns = j.at("input").value("modified_ns", std::int64_t{0});
    e.user = j.value("user", std::string());
    e.committed_at_us = j.at("committed_at_us").get<std::int64_t>();
    for (const auto& f : j.at("files")) {
      e.files.push_back(DataFile{f.at("table").get<std::string>(), f.at("key").get<std::string>(),
                                 f.at("rows").get<std::int64_t>(),
                                 f.at("bytes").get<std::uint64_t>(),
                                 f.value("schema", std::string())});
    }
    e.stats = j.at("stats").get<std::map<std::string, std::int64_t>>();
    e.contract_version = j.value("contract_version", 0);
    if (const auto drift = j.find("drift"); drift != j.end()) {
      const nlohmann::json empty = nlohmann::json::object();
      e.drift.unknown_fields = ObservationsFrom(drift->value("unknown_fields", empty));
      e.drift.unknown_values = ObservationsFrom(drift->value("unknown_values", empty));
      e.drift.approximate_zones = ObservationsFrom(drift->value("approximate_zones", empty));
    }
    if (const auto kafka = j.find("kafka"); kafka != j.end()) {
      e.kafka = KafkaRange{kafka->at("topic").get<std::string>(), kafka->at("partition").get<int>(),
                           kafka->at("first_offset").get<std::int64_t>(),
                           kafka->at("last_offset").get<std::int64_t>(),
                           kafka->at("lines_offset").get<std::int64_t>()};
    }
    e.replaces = j.value("replaces", std::vector<std::string>());
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return Fail(ErrorCode::kData,
                fmt::format("{}: corrupt manifest ({}); the lake's commit log is damaged: restore "
                            "the file from a backup or remove it to forget that batch",
                            origin, ex.what()));
  }
}

}  // namespace playlake::lake
