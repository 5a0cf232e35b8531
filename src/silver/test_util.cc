#include "silver/test_util.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "silver/views.h"
#include "sources/tables.h"

namespace playlake::silver {

TestLake::TestLake(std::filesystem::path root, bool durable) : root_(std::move(root)) {
  auto lake = lake::Lake::OpenLocal(root_, lake::LakeOptions{{}, nullptr, durable});
  EXPECT_TRUE(lake) << lake.error().message;
  lake_ = std::move(*lake);
}

Result<IngestReport> TestLake::Ingest(const std::vector<std::string>& paths,
                                      const std::string& user, IngestRequest request) {
  request.paths = paths;
  if (!user.empty()) request.user = user;
  if (request.threads == 0) request.threads = 2;
  Progress progress;
  return silver::Ingest(*lake_, request, progress);
}

warehouse::Table TestLake::Query(const std::string& sql) {
  auto db = warehouse::Database::Open(":memory:", warehouse::DatabaseOptions{1, ""});
  EXPECT_TRUE(db);
  auto conn = (*db)->Connect();
  EXPECT_TRUE(conn);
  EXPECT_TRUE((*conn)->Execute("SET TimeZone = 'UTC'"));
  auto views = CreateSilverViews(**conn, *lake_);
  EXPECT_TRUE(views) << views.error().message;
  auto table = (*conn)->Query(sql);
  EXPECT_TRUE(table) << sql << ": " << table.error().message;
  return table ? *table : warehouse::Table{};
}

std::string TestLake::Scalar(const std::string& sql) {
  const warehouse::Table t = Query(sql);
  if (t.rows.empty() || t.rows[0].empty()) return "<no row>";
  return t.rows[0][0].value_or("NULL");
}

std::int64_t TestLake::Count(const std::string& table) {
  return std::stoll(Scalar("SELECT count(*) FROM " + table));
}

std::string TestLake::Dump() {
  std::string out;
  for (const sources::TableSpec* spec : sources::AllTables()) {
    const warehouse::Table t = Query(fmt::format("SELECT * FROM {} ORDER BY 1", spec->name));
    out += fmt::format("== {} ({} rows)\n", spec->name, t.rows.size());
    for (const auto& row : t.rows) {
      for (const auto& v : row) out += v.value_or("NULL") + "\x1f";
      out += "\n";
    }
  }
  return out;
}

int TestLake::ManifestCount() {
  int n = 0;
  for (const char* layer : {"bronze", "silver"}) {
    auto entries = lake_->Entries(layer);
    if (entries) n += static_cast<int>(entries->size());
  }
  return n;
}

void WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

}  // namespace playlake::silver
