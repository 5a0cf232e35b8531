// IngestReport rendering: JSON for machines, a short table for people.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>
#include <nlohmann/json.hpp>

#include "silver/ingest.h"
#include "sources/tables.h"

namespace playlake::silver {
namespace {

struct Totals {
  std::map<std::string, std::int64_t> outcomes, formats_files, formats_bytes, rows, duplicates,
      existing, quarantine;
  std::int64_t files = 0, bytes = 0, records = 0;
};

Totals Sum(const IngestReport& report) {
  Totals t;
  for (const auto& f : report.files) {
    ++t.files;
    t.bytes += static_cast<std::int64_t>(f.bytes);
    ++t.outcomes[OutcomeName(f.outcome)];
    ++t.formats_files[f.format];
    t.formats_bytes[f.format] += static_cast<std::int64_t>(f.bytes);
    t.records += f.stats.records;
    for (int i = 0; i < sources::kTableCount; ++i) {
      const std::string name(sources::AllTables()[i]->name);
      if (name == "quarantine") continue;
      if (f.stats.written[i]) t.rows[name] += f.stats.written[i];
      if (f.stats.duplicates[i]) t.duplicates[name] += f.stats.duplicates[i];
      if (f.stats.existing[i]) t.existing[name] += f.stats.existing[i];
    }
    for (const auto& [reason, n] : f.stats.quarantined) t.quarantine[reason] += n;
  }
  return t;
}

// "name=count (e.g. "a", "b")" for each entry of `m`.
std::string Observations(const std::map<std::string, lake::Observed>& m) {
  std::string out;
  for (const auto& [key, o] : m) {
    out += fmt::format("{}{}={}", out.empty() ? "" : ", ", key, o.count);
    if (!o.examples.empty()) out += fmt::format(" (e.g. \"{}\")", fmt::join(o.examples, "\", \""));
  }
  return out;
}

// Drift per file, new fields first: they are what the user must look at.
std::string DriftText(const IngestReport& report) {
  std::string out;
  int shown = 0;
  for (const auto& f : report.files) {
    const lake::Drift& d = f.stats.drift;
    if (d.empty() || ++shown > 10) continue;
    if (!f.new_fields.empty()) {
      out += fmt::format(
          "  WARNING {}: field(s) never seen before in source '{}': {} (kept in "
          "bronze, not read into silver)\n",
          f.path, f.source, fmt::join(f.new_fields, ", "));
    }
    if (!d.unknown_fields.empty()) {
      out += fmt::format("  drift {}: unknown fields {}\n", f.path, Observations(d.unknown_fields));
    }
    if (!d.unknown_values.empty()) {
      out += fmt::format("  drift {}: unknown values {}\n", f.path, Observations(d.unknown_values));
    }
    if (!d.approximate_zones.empty()) {
      out += fmt::format("  time zone approximated {}: plays by country {}\n", f.path,
                         Observations(d.approximate_zones));
    }
  }
  if (shown > 10)
    out += fmt::format("  ... and drift in {} more file(s) (see --json)\n", shown - 10);
  return out;
}

// {source: {"unknown_fields": {field: count}, "unknown_values": {field: count},
//  "new_fields": [...]}} over the files of the report.
nlohmann::ordered_json DriftBySource(const IngestReport& report) {
  struct SourceDrift {
    std::map<std::string, std::int64_t> fields, values;
    std::vector<std::string> new_fields;
  };
  std::map<std::string, SourceDrift> by_source;
  for (const auto& f : report.files) {
    const lake::Drift& d = f.stats.drift;
    if (d.unknown_fields.empty() && d.unknown_values.empty()) continue;
    SourceDrift& s = by_source[f.source];
    for (const auto& [field, o] : d.unknown_fields) s.fields[field] += o.count;
    for (const auto& [field, o] : d.unknown_values) s.values[field] += o.count;
    s.new_fields.insert(s.new_fields.end(), f.new_fields.begin(), f.new_fields.end());
  }
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& [source, s] : by_source) {
    j[source] = {
        {"unknown_fields", s.fields}, {"unknown_values", s.values}, {"new_fields", s.new_fields}};
  }
  return j;
}

}  // namespace

bool IngestReport::AnyFailed() const {
  for (const auto& f : files) {
    if (f.outcome == Outcome::kFailed) return true;
  }
  return false;
}

std::string IngestReport::ToJson() const {
  const Totals t = Sum(*this);
  nlohmann::ordered_json j;
  j["files"] = t.files;
  j["bytes"] = t.bytes;
  j["records"] = t.records;
  j["seconds"] = seconds;
  j["outcomes"] = t.outcomes;
  j["formats"] = nlohmann::ordered_json::object();
  for (const auto& [format, n] : t.formats_files) {
    j["formats"][format] = {{"files", n}, {"bytes", t.formats_bytes.at(format)}};
  }
  j["rows_written"] = t.rows;
  j["duplicates_in_batch"] = t.duplicates;
  j["duplicates_already_in_lake"] = t.existing;
  j["quarantined"] = t.quarantine;
  j["drift"] = DriftBySource(*this);
  j["details"] = nlohmann::ordered_json::array();
  for (const auto& f : files) {
    nlohmann::ordered_json d;
    d["path"] = f.path;
    d["format"] = f.format;
    d["outcome"] = OutcomeName(f.outcome);
    d["batch_id"] = f.batch_id;
    d["bytes"] = f.bytes;
    d["records"] = f.stats.records;
    if (!f.error.empty()) d[f.outcome == Outcome::kSkipped ? "skipped_because" : "error"] = f.error;
    if (!f.stats.quarantined.empty()) d["quarantined"] = f.stats.quarantined;
    if (!f.source.empty()) d["source"] = f.source;
    if (!f.stats.drift.empty()) {
      d["drift"] = nlohmann::ordered_json::parse(lake::DriftToJson(f.stats.drift));
      d["new_fields"] = f.new_fields;
    }
    j["details"].push_back(std::move(d));
  }
  return j.dump(2) + "\n";
}

std::string IngestReport::ToText() const {
  const Totals t = Sum(*this);
  std::string out = fmt::format("ingested {} file(s), {:.1f} MB, {} record(s) in {:.2f} s\n", t.files,
                                t.bytes / 1e6, t.records, seconds);
  auto section = [&](std::string_view title, const std::map<std::string, std::int64_t>& m) {
    if (m.empty()) return;
    out += fmt::format("  {}:", title);
    for (const auto& [k, v] : m) out += fmt::format(" {}={}", k, v);
    out += "\n";
  };
  section("outcomes", t.outcomes);
  section("formats (files)", t.formats_files);
  section("rows written", t.rows);
  section("duplicates dropped in batch", t.duplicates);
  section("duplicates already in lake", t.existing);
  section("quarantined", t.quarantine);
  int failed = 0;
  for (const auto& f : files) {
    if (f.outcome != Outcome::kFailed) continue;
    if (++failed <= 10) out += fmt::format("  FAILED {}: {}\n", f.path, f.error);
  }
  if (failed > 10) out += fmt::format("  ... and {} more failed file(s) (see --json)\n", failed - 10);
  int whole = 0;
  for (const auto& f : files) {
    if (f.outcome != Outcome::kQuarantinedWhole) continue;
    if (++whole <= 10) out += fmt::format("  QUARANTINED WHOLE {}: {}\n", f.path, f.error);
  }
  if (whole > 10)
    out += fmt::format("  ... and {} more file(s) quarantined whole (see --json)\n", whole - 10);
  int skipped = 0;
  for (const auto& f : files) {
    if (f.outcome == Outcome::kSkipped && ++skipped <= 10)
      out += fmt::format("  skipped {}\n", f.error);
  }
  if (skipped > 10)
    out += fmt::format("  ... and {} more skipped file(s) (see --json)\n", skipped - 10);
  out += DriftText(*this);
  return out;
}

}  // namespace playlake::silver
