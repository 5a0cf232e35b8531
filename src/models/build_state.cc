#include "models/build_state.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "common/hash.h"
#include "models/materialize.h"

namespace playlake::models {
namespace {

using warehouse::QuoteLiteral;

// Functions whose value changes from one run to the next with the same data.
constexpr std::array<std::string_view, 9> kVolatile = {
    "current_timestamp", "current_date", "current_time", "now()",  "today()",
    "get_current_time",  "random()",     "uuid()",       "setseed"};

bool ReadsTheClock(const std::string& sql) {
  std::string lower(sql);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return std::any_of(kVolatile.begin(), kVolatile.end(),
                     [&](std::string_view f) { return lower.find(f) != std::string::npos; });
}

// Ephemeral models are inlined into their readers: look through them.
constexpr int kMaxEphemeralDepth = 64;

}  // namespace

Result<BuildState> BuildState::Load(warehouse::Connection& conn) {
  BuildState state;
  auto exists = FindRelation(conn, kSchema, "node_state");
  if (!exists) return tl::unexpected(exists.error());
  if (*exists == RelationKind::kMissing) return state;
  auto rows = conn.Query(fmt::format("SELECT unique_id, inputs, version FROM {}", kTable));
  if (!rows) return tl::unexpected(rows.error());
  for (const auto& row : rows->rows) {
    state.entries_[row[0].value_or("")] = Entry{row[1].value_or(""), row[2].value_or("")};
  }
  return state;
}

std::optional<std::string> BuildState::VersionOf(
    const Project& project, const std::string& dependency,
    const std::map<std::string, std::string>& source_versions, int depth) const {
  if (const Node* node = project.FindNode(dependency)) {
    if (node->type == NodeType::kModel && node->materialized == Materialization::kEphemeral) {
      if (depth > kMaxEphemeralDepth) return std::nullopt;
      std::string versions;
      for (const std::string& dep : node->depends_on) {
        auto version = VersionOf(project, dep, source_versions, depth + 1);
        if (!version) return std::nullopt;
        versions += dep + "=" + *version + "\n";
      }
      return Hash128Hex(versions);
    }
    auto it = entries_.find(dependency);
    if (it == entries_.end()) return std::nullopt;
    return it->second.version;
  }
  auto source = project.sources().find(dependency);
  if (source == project.sources().end()) return std::nullopt;
  auto version = source_versions.find(source->second.schema + "." + source->second.identifier);
  if (version == source_versions.end()) return std::nullopt;
  return Hash128Hex(version->second);
}

std::optional<std::string> BuildState::Inputs(
    const Project& project, const Node& node, const std::string& sql,
    const std::map<std::string, std::string>& source_versions) const {
  if (node.type == NodeType::kSeed || ReadsTheClock(sql)) return std::nullopt;
  Checksum digest;
  for (const auto& [key, value] : node.config_text) digest.Update(key + "=" + value + "\n");
  digest.Update(sql);
  for (const std::string& dep : node.depends_on) {
    auto version = VersionOf(project, dep, source_versions, 0);
    if (!version) return std::nullopt;
    digest.Update("\n" + dep + "=" + *version);
  }
  return digest.Hex();
}

bool BuildState::Unchanged(const std::string& unique_id, const std::string& inputs) const {
  auto it = entries_.find(unique_id);
  return it != entries_.end() && it->second.inputs == inputs;
}

void BuildState::Record(const std::string& unique_id, const std::string& inputs,
                        const std::string& version, bool same_output) {
  auto it = entries_.find(unique_id);
  const bool keeps_version = same_output && it != entries_.end();
  entries_[unique_id] = Entry{inputs, keeps_version ? it->second.version : version};
  changed_[unique_id] = entries_[unique_id];
}

void BuildState::Forget(const std::string& unique_id) {
  entries_.erase(unique_id);
  changed_[unique_id] = std::nullopt;
}

Status BuildState::Save(warehouse::Connection& conn) const {
  if (changed_.empty()) return {};
  std::vector<std::string> statements = {
      fmt::format("CREATE SCHEMA IF NOT EXISTS {}", kSchema),
      fmt::format("CREATE TABLE IF NOT EXISTS {} (unique_id VARCHAR, inputs VARCHAR, version "
                  "VARCHAR)",
                  kTable)};
  std::string ids, values;
  for (const auto& [id, entry] : changed_) {
    ids += (ids.empty() ? "" : ", ") + QuoteLiteral(id);
    if (entry) {
      values += fmt::format("{}({}, {}, {})", values.empty() ? "" : ", ", QuoteLiteral(id),
                            QuoteLiteral(entry->inputs), QuoteLiteral(entry->version));
    }
  }
  statements.push_back(fmt::format("DELETE FROM {} WHERE unique_id IN ({})", kTable, ids));
  if (!values.empty())
    statements.push_back(fmt::format("INSERT INTO {} VALUES {}", kTable, values));
  return InTransaction(conn, statements);
}

}  // namespace playlake::models
