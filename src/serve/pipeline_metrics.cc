#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <limits>
#include <map>

#include "serve/pipeline_artifacts.h"

namespace playlake::serve {
namespace {

using nlohmann::json;

// Seconds since the epoch of an RFC 3339 UTC time ("2026-11-23T13:07:24Z"); 0 if unparsable.
long long EpochSeconds(const std::string& text) {
  std::tm tm{};
  if (!strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return 0;
  return static_cast<long long>(timegm(&tm));
}

std::string LabelValue(const json& value) {
  std::string out = value.is_string() ? value.get<std::string>() : value.dump();
  std::string escaped;
  for (char c : out) {
    if (c == '"' || c == '\\') escaped += '\\';
    if (c == '\n') {
      escaped += "\\n";
      continue;
    }
    escaped += c;
  }
  return escaped;
}

}  // namespace

std::string PipelineMetrics(const std::filesystem::path& target_dir) {
  std::string out;
  std::map<std::string, long long> runs_by_status;
  long long last_success = 0;
  for (const auto& run : Runs(target_dir / "runs.jsonl", std::numeric_limits<std::size_t>::max())) {
    const std::string status = run.value("status", "unknown");
    runs_by_status[status]++;
    if (status == "success")
      last_success = std::max(last_success, EpochSeconds(run.value("finished_at", "")));
  }
  out +=
      "# HELP playlake_pipeline_runs_total Pipeline runs recorded, by status.\n"
      "# TYPE playlake_pipeline_runs_total counter\n";
  for (const auto& [status, n] : runs_by_status) {
    out += fmt::format("playlake_pipeline_runs_total{{status=\"{}\"}} {}\n", status, n);
  }
  out +=
      "# HELP playlake_pipeline_last_success_timestamp_seconds End of the last successful run.\n"
      "# TYPE playlake_pipeline_last_success_timestamp_seconds gauge\n";
  out += fmt::format("playlake_pipeline_last_success_timestamp_seconds {}\n", last_success);
  auto status = ReadJsonFile(target_dir / "pipeline_status.json");
  if (status && status->is_object()) {
    out +=
        "# HELP playlake_table_rows Rows per table, by layer.\n# TYPE playlake_table_rows gauge\n";
    for (const auto& table : status->value("freshness", json::array())) {
      const std::string name = table.value("table", "");
      const auto dot = name.find('.');
      const std::string layer = dot == std::string::npos ? "" : name.substr(0, dot);
      out += fmt::format("playlake_table_rows{{layer=\"{}\",table=\"{}\"}} {}\n",
                         layer == "main" ? "gold" : layer, LabelValue(name.substr(dot + 1)),
                         table.value("rows", 0LL));
    }
    out +=
        "# HELP playlake_quarantine_records Records in quarantine, by reason and format.\n"
        "# TYPE playlake_quarantine_records gauge\n";
    for (const auto& q : status->value("quarantine", json::array())) {
      out += fmt::format("playlake_quarantine_records{{reason=\"{}\",source_format=\"{}\"}} {}\n",
                         LabelValue(q.value("reason", json(""))),
                         LabelValue(q.value("source_format", json(""))), q.value("records", 0LL));
    }
  }
  return out;
}

}  // namespace playlake::serve
