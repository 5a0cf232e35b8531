// Drift of the committed silver batches, for the dashboard's Pipeline page
// (written to target/pipeline_status.json by each build).
//
// Pure function over manifest entries; thread safe.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <vector>

#include "lake/manifest.h"

namespace playlake::silver {

// One row per unknown field, unknown value and approximate time zone of each
// batch, newest batch first, at most `limit` rows:
// {"source", "file", "committed_at" (RFC 3339), "contract_version", "kind"
// ("unknown field", "unknown value", "approximate time zone"), "name",
// "count", "examples" (joined), "first_seen" (no earlier batch of the source
// had this unknown field)}.
nlohmann::json DriftRows(const std::vector<lake::ManifestEntry>& silver_entries,
                         std::size_t limit = 50);

}  // namespace playlake::silver
