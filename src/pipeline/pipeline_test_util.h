// Helpers shared by the pipeline's end-to-end tests (marts_test, sparkify_test):
// reading a project's warehouse file and writing small project files.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "warehouse/duckdb.h"

namespace playlake::pipeline::testutil {

using Rows = std::vector<std::vector<std::string>>;

// A read-only view of a project's warehouse file. The session time zone is
// UTC, so TIMESTAMPTZ values render and convert the same on every machine.
// Not thread safe. Query failures are reported as GoogleTest failures and
// yield an empty result, so a broken query can never make a check pass.
class WarehouseReader {
 public:
  // REQUIRES: `path` is a DuckDB file no other process holds open for writing.
  explicit WarehouseReader(const std::filesystem::path& path, bool read_only = true);

  bool ok() const { return connection_ != nullptr; }
  // Every row of `sql`, values as DuckDB's VARCHAR cast, SQL NULL as "NULL".
  Rows Query(const std::string& sql);
  // The single value of `sql` ("" when the query fails or returns no row).
  std::string Scalar(const std::string& sql);
  // The single value of `sql` as an integer (-1 when it cannot be read).
  long long Int(const std::string& sql);
  // Runs statements that return nothing; false (and a test failure) on error.
  bool Execute(const std::string& sql);

 private:
  std::unique_ptr<warehouse::Database> database_;
  std::unique_ptr<warehouse::Connection> connection_;
};

// Expects `table` to hold the same rows in `db` as in the database attached
// to it as `b`, but for loaded_at (which says when a run added a row, so alone
// may differ between an incremental and a full build).
void ExpectSameRows(WarehouseReader& db, const std::string& table);

// Writes `text` to `path`, creating its folder.
void WriteTextFile(const std::filesystem::path& path, const std::string& text);

}  // namespace playlake::pipeline::testutil
