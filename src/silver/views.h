// Silver tables as SQL views over committed Parquet files only.
//
// Each view lists the files named by silver manifests (never a folder glob),
// so a file written by a crashed ingest is invisible. Views are plain SQL:
// any DuckDB connection can hold them.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "lake/lake.h"
#include "sources/column_batch.h"
#include "warehouse/duckdb.h"

namespace playlake::silver {

// Creates one view per silver table (plays, page_views, users, tracks,
// artists, albums, episodes, quarantine, and the Spotify Web API source's
// spotify_* tables) on `connection`.
Status CreateSilverViews(warehouse::Connection& connection, const lake::Lake& lake);

// The same views in schema "silver" of a warehouse, where the models'
// source('silver', ...) resolves: refreshed before every build, so models see
// exactly the batches committed when the build starts.
Status CreateSilverSchema(warehouse::Connection& connection, const lake::Lake& lake);
// The same over `entries`, the lake's silver manifest entries as the caller
// read them (Lake::Entries("silver")), so one read of the commit log serves
// the caller too: it costs about 15 µs per committed batch (a few from a
// snapshot of the log).
Status CreateSilverSchema(warehouse::Connection& connection, const lake::Lake& lake,
                          const std::vector<lake::ManifestEntry>& entries);

}  // namespace playlake::silver
