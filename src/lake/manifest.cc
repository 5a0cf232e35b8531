#include "lake/manifest.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>

#include "common/hash.h"

namespace playlake::lake {

namespace {

using Observations = std::map<std::string, Observed>;

nlohmann::ordered_json ObservationsJson(const Observations& m) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [key, o] : m) j[key] = {{"count", o.count}, {"examples", o.examples}};
  return j;
}

// Reading with simdjson (its errors are exceptions, caught by
// ManifestFromJson), faster than nlohmann: a build of a long stream's lake
// reads hundreds of thousands of manifests.
namespace dom = simdjson::dom;

std::string Text(dom::element e) { return std::string(std::string_view(e)); }

std::vector<std::string> Texts(dom::element e) {
  std::vector<std::string> texts;
  for (dom::element item : dom::array(e)) texts.push_back(Text(item));
  return texts;
}

// `object[key]`, or nothing when the key is absent.
std::optional<dom::element> Field(dom::object object, std::string_view key) {
  dom::element e;
  if (object[key].get(e) != simdjson::SUCCESS) return std::nullopt;
  return e;
}

Observations ObservationsFrom(std::optional<dom::element> j) {
  Observations m;
  if (!j) return m;
  for (const auto [key, o] : dom::object(*j)) {
    const auto examples = Field(o, "examples");
    m[std::string(key)] = Observed{std::int64_t(o["count"]),
                                   examples ? Texts(*examples) : std::vector<std::string>()};
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
  thread_local dom::parser parser;
  try {
    const dom::object j = parser.parse(text);
    ManifestEntry e;
    e.version = static_cast<int>(std::int64_t(j["version"]));
    if (e.version < 1 || e.version > kCompactionManifestVersion) {
      return Fail(ErrorCode::kData, fmt::format("{}: manifest version {} is newer than this "
                                                "playlake understands: upgrade playlake",
                                                origin, e.version));
    }
    e.layer = Text(j["layer"]);
    e.batch_id = Text(j["batch_id"]);
    e.source = Text(j["source"]);
    e.format = Text(j["format"]);
    e.entity = Text(j["entity"]);
    const dom::object input = j["input"];
    e.input_path = Text(input["path"]);
    e.input_size = std::uint64_t(input["size"]);
    e.input_checksum = Text(input["checksum"]);
    if (const auto modified = Field(input, "modified_ns")) {
      e.input_modified_ns = std::int64_t(*modified);
    }
    if (const auto user = Field(j, "user")) e.user = Text(*user);
    e.committed_at_us = std::int64_t(j["committed_at_us"]);
    for (const dom::object f : dom::array(j["files"])) {
      const auto schema = Field(f, "schema");
      e.files.push_back(DataFile{Text(f["table"]), Text(f["key"]), std::int64_t(f["rows"]),
                                 std::uint64_t(f["bytes"]),
                                 schema ? Text(*schema) : std::string()});
    }
    for (const auto [key, count] : dom::object(j["stats"])) {
      e.stats[std::string(key)] = std::int64_t(count);
    }
    if (const auto version = Field(j, "contract_version")) {
      e.contract_version = static_cast<int>(std::int64_t(*version));
    }
    if (const auto drift = Field(j, "drift")) {
      const dom::object d = *drift;
      e.drift.unknown_fields = ObservationsFrom(Field(d, "unknown_fields"));
      e.drift.unknown_values = ObservationsFrom(Field(d, "unknown_values"));
      e.drift.approximate_zones = ObservationsFrom(Field(d, "approximate_zones"));
    }
    if (const auto kafka = Field(j, "kafka")) {
      const dom::object k = *kafka;
      e.kafka = KafkaRange{Text(k["topic"]), static_cast<int>(std::int64_t(k["partition"])),
                           std::int64_t(k["first_offset"]), std::int64_t(k["last_offset"]),
                           std::int64_t(k["lines_offset"])};
    }
    if (const auto replaces = Field(j, "replaces")) e.replaces = Texts(*replaces);
    return e;
  } catch (const simdjson::simdjson_error& ex) {
    return Fail(ErrorCode::kData,
                fmt::format("{}: corrupt manifest ({}); the lake's commit log is damaged: restore "
                            "the file from a backup or remove it to forget that batch",
                            origin, ex.what()));
  }
}

}  // namespace playlake::lake
