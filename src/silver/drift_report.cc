#include "silver/drift_report.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <chrono>
#include <map>
#include <set>
#include <string>

namespace playlake::silver {
namespace {

std::string Rfc3339(std::int64_t micros) {
  const std::chrono::sys_seconds t{std::chrono::seconds(micros / 1'000'000)};
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", t);
}

}  // namespace

nlohmann::json DriftRows(const std::vector<lake::ManifestEntry>& entries, std::size_t limit) {
  // Entries come oldest first (Lake::Entries): "first seen" is decided in that order.
  std::map<std::string, std::set<std::string>> seen;
  std::vector<nlohmann::json> rows;
  for (const auto& e : entries) {
    auto add = [&](const char* kind, const std::map<std::string, lake::Observed>& m, bool fields) {
      for (const auto& [name, o] : m) {
        const bool first = fields && seen[e.source].insert(name).second;
        rows.push_back({{"source", e.source},
                        {"file", e.input_path},
                        {"committed_at", Rfc3339(e.committed_at_us)},
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
