#include "silver/drift_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <map>
#include <set>
#include <string>

#include "common/rfc3339.h"

namespace playlake::silver {

nlohmann::json DriftRows(const std::vector<lake::ManifestEntry>& entries, std::size_t limit) {
  // Entries come oldest first (Lake::Entries): "first seen" is decided in that order.
  std::map<std::string, std::set<std::string>> seen;
  std::vector<nlohmann::json> rows;
  for (const auto& e : entries) {
    auto add = [&](const char* kind, const std::map<std::string, lake::Observed>& m, bool fields) {
      for (const auto& [name, o] : m) {
        const bool first = fields && seen[e.source].insert(name).second;
        rows.push_back(
            {{"source", e.source},
             {"file", e.input_path},
             {"committed_at", FormatRfc3339(std::chrono::sys_time<std::chrono::microseconds>(
                                  std::chrono::microseconds(e.committed_at_us)))},
             {"contract_version", e.contract_version},
             {"kind", kind},
             {"name", name},
             {"count", o.count},
             {"examples", fmt::format("{}", fmt::join(o.examples, ", "))},
             {"first_seen", first}});
      }
    };
    add("unknown field", e.drift.unknown_fields, true);
    add("unknown value", e.drift.unknown_values, false);
    add("approximate time zone", e.drift.approximate_zones, false);
  }
  nlohmann::json out = nlohmann::json::array();
  for (auto it = rows.rbegin(); it != rows.rend() && out.size() < limit; ++it) out.push_back(*it);
  return out;
}

}  // namespace playlake::silver
