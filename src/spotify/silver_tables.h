// The Spotify Web API source's silver tables: names, columns and keys
// (docs/spotify.md, "What lands where"). Plain data, so the silver views
// (src/silver/views.cc) list them without linking the source itself.
#pragma once

#include <string>
#include <vector>

namespace playlake::spotify {

struct SilverColumn {
  std::string name;
  std::string
      sql_type;  // DuckDB type: VARCHAR, TIMESTAMPTZ, BIGINT, DOUBLE, BOOLEAN, DATE, VARCHAR[]
};

// A column of this name holds the id of the batch that wrote the row; the
// writer fills it (the models load plays by batch).
inline constexpr const char* kBatchIdColumn = "batch_id";

struct SilverTableSpec {
  std::string name;  // silver table, e.g. "spotify_plays"
  std::vector<SilverColumn> columns;
  std::vector<std::string> key;  // columns that identify a row
  // The key holds the time of the lookup (fetched_at, checked_at), so no
  // committed file can hold a new row's key: the writer does not read them to
  // deduplicate (that read grew with every lookup batch).
  bool keyed_by_lookup = false;
};

// The tables, by name; nullptr for an unknown name.
const SilverTableSpec* FindSilverTable(const std::string& name);

// Every table, in name order.
std::vector<const SilverTableSpec*> AllSilverTables();

}  // namespace playlake::spotify
