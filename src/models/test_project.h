// Test helpers: write a small model project into a folder and run it against
// an in-memory DuckDB. Header-only, used by the *_test.cc files here.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

#include "models/project.h"
#include "models/runner.h"
#include "warehouse/duckdb.h"

namespace playlake::models::testing {

using Files = std::map<std::string, std::string>;

inline void WriteFiles(const std::filesystem::path& dir, const Files& files) {
  for (const auto& [path, text] : files) {
    const auto file = dir / path;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  }
}

inline const char* kProjectFile = "name: shop\nmodel-paths: [models]\n";

// A project loaded from `files` (dbt_project.yml added when absent).
inline Result<Project> LoadFiles(const std::filesystem::path& dir, Files files,
                                 const LoadOptions& options = {}) {
  files.emplace("dbt_project.yml", kProjectFile);
  WriteFiles(dir, files);
  return Project::Load(dir, options);
}

inline std::unique_ptr<warehouse::Database> MemoryDb() {
  auto db = warehouse::Database::Open("");
  EXPECT_TRUE(db) << db.error().message;
  return std::move(*db);
}

// Runs one query on a fresh connection and returns the first value ("" on error).
inline std::string Scalar(warehouse::Database& db, const std::string& sql) {
  auto conn = db.Connect();
  if (!conn) return "connect: " + conn.error().message;
  auto v = (*conn)->QueryScalar(sql);
  return v ? *v : "error: " + v.error().message;
}

inline std::string StatusOf(const RunResults& r, const std::string& id) {
  const NodeResult* n = r.Find(id);
  return n ? NodeStatusName(n->status) : "absent";
}

}  // namespace playlake::models::testing
