// Silver tables of the Spotify Web API source: typed rows written as one
// Parquet file per pulled batch, keyed so a row delivered again (a re-run, a
// re-pulled page) is written once (docs/spotify.md, "What lands where").
//
// The rows are staged in an in-memory DuckDB and copied to
// silver/<table>/<batch-id>.<nonce>.parquet, minus rows whose key is already
// in a committed file of the table (not read for tables keyed by their
// lookup's time) or earlier in the same batch.
//
// Thread safety: none; one writer per pull. REQUIRES for Write: the caller
// holds the lake's writer lock (so the committed files it deduplicates
// against do not change under it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "lake/lake.h"
#include "spotify/silver_tables.h"
#include "warehouse/duckdb.h"

namespace playlake::spotify {

// One row: a value per column of the spec (but kBatchIdColumn, which the
// writer fills), as text DuckDB casts to the column's type; nullopt is NULL.
using SilverRow = std::vector<warehouse::Param>;

class SilverRowWriter {
 public:
  static Result<std::unique_ptr<SilverRowWriter>> Create();

  // Writes the new rows of `rows` as a Parquet file of `spec`'s table and
  // returns it (synced, not committed), or nullopt when every row was there
  // already. Errors: kWarehouse (a value that does not cast to its column's
  // type names the table), kIo.
  Result<std::optional<lake::DataFile>> Write(lake::Lake& lake, const SilverTableSpec& spec,
                                              const std::vector<SilverRow>& rows,
                                              const std::string& batch_id);

 private:
  explicit SilverRowWriter(std::unique_ptr<warehouse::Database> db,
                           std::unique_ptr<warehouse::Connection> conn);
  std::unique_ptr<warehouse::Database> db_;
  std::unique_ptr<warehouse::Connection> conn_;
};

}  // namespace playlake::spotify
