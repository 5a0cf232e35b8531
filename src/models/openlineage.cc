#include "models/openlineage.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

namespace playlake::models {
namespace {

constexpr const char* kProducer = "https://github.com/playlake/playlake/tree/main/src/models";
constexpr const char* kSchemaUrl =
    "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent";

nlohmann::json Datasets(const std::vector<LineageDataset>& datasets) {
  nlohmann::json out = nlohmann::json::array();
  for (const LineageDataset& d : datasets)
    out.push_back({{"namespace", d.namespace_name}, {"name", d.name}});
  return out;
}

}  // namespace

std::string LineageEventJson(const LineageEvent& event) {
  nlohmann::json run = {{"runId", event.run_id}};
  if (!event.error_message.empty()) {
    run["facets"] = {
        {"errorMessage",
         {{"_producer", kProducer},
          {"_schemaURL", "https://openlineage.io/spec/facets/1-0-1/ErrorMessageRunFacet.json"},
          {"message", event.error_message},
          {"programmingLanguage", "SQL"}}}};
  }
  nlohmann::json j = {
      {"eventType", event.event_type},
      {"eventTime", event.event_time},
      {"run", run},
      {"job", {{"namespace", event.job_namespace}, {"name", event.job_name}}},
      {"inputs", Datasets(event.inputs)},
      {"outputs", Datasets(event.outputs)},
      {"producer", kProducer},
      {"schemaURL", kSchemaUrl},
  };
  return j.dump();
}

Status OpenLineageWriter::Emit(const LineageEvent& event) {
  if (file_.empty()) return {};
  const std::string line = LineageEventJson(event) + "\n";
  std::lock_guard lock(mutex_);
  std::ofstream out(file_, std::ios::app | std::ios::binary);
  out << line;
  out.flush();
  if (!out) return Fail(ErrorCode::kIo, fmt::format("cannot append to {}", file_.string()));
  return {};
}

}  // namespace playlake::models
