// Test helpers for silver: a lake in a temp folder, ingest and SQL on it.
#pragma once

#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "lake/lake.h"
#include "silver/ingest.h"
#include "warehouse/duckdb.h"

namespace playlake::silver {

class TestLake {
 public:
  // `durable` = false skips fsync (fast tests that are not about power loss).
  explicit TestLake(std::filesystem::path root, bool durable = false);
  Result<IngestReport> Ingest(const std::vector<std::string>& paths, const std::string& user = "",
                              IngestRequest request = {});
  // Runs `sql` over fresh silver views; fails the test on error.
  warehouse::Table Query(const std::string& sql);
  std::string Scalar(const std::string& sql);
  std::int64_t Count(const std::string& table);
  // All rows of every silver table as text, sorted: equal lakes give equal dumps.
  std::string Dump();
  int ManifestCount();
  lake::Lake& lake() { return *lake_; }
  const std::filesystem::path& root() const { return root_; }

 private:
  std::filesystem::path root_;
  std::unique_ptr<lake::Lake> lake_;
};

// Writes `text` to `path` (creating folders).
void WriteFile(const std::filesystem::path& path, const std::string& text);

}  // namespace playlake::silver
