#include "lake/manifest.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace playlake::lake {

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
    j["files"].push_back({{"table", f.table}, {"key", f.key}, {"rows", f.rows}, {"bytes", f.bytes}});
  }
  j["stats"] = e.stats;
  return j.dump(1) + "\n";
}

Result<ManifestEntry> ManifestFromJson(const std::string& text, const std::string& origin) {
  try {
    const auto j = nlohmann::json::parse(text);
    ManifestEntry e;
    e.version = j.at("version").get<int>();
    if (e.version != 1) {
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
                                 f.at("bytes").get<std::uint64_t>()});
    }
    e.stats = j.at("stats").get<std::map<std::string, std::int64_t>>();
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return Fail(ErrorCode::kData,
                fmt::format("{}: corrupt manifest ({}); the lake's commit log is damaged: restore "
                            "the file from a backup or remove it to forget that batch",
                            origin, ex.what()));
  }
}

}  // namespace playlake::lake
