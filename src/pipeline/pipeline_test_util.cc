#include "pipeline/pipeline_test_util.h"

#include <gtest/gtest.h>

#include <fstream>

namespace playlake::pipeline::testutil {

WarehouseReader::WarehouseReader(const std::filesystem::path& path, bool read_only) {
  auto database = warehouse::Database::Open(path.string(), {.threads = 2, .memory_limit = "", .read_only = read_only});
  if (!database) {
    ADD_FAILURE() << "cannot open " << path << ": " << database.error().message;
    return;
  }
  database_ = std::move(*database);
  auto connection = database_->Connect();
  if (!connection) {
    ADD_FAILURE() << "cannot connect to " << path << ": " << connection.error().message;
    return;
  }
  connection_ = std::move(*connection);
  Execute("SET TimeZone = 'UTC'");
}

Rows WarehouseReader::Query(const std::string& sql) {
  Rows rows;
  if (!connection_) return rows;
  auto table = connection_->Query(sql);
  if (!table) {
    ADD_FAILURE() << table.error().message << "\nin: " << sql;
    return rows;
  }
  for (const auto& row : table->rows) {
    std::vector<std::string> values;
    values.reserve(row.size());
    for (const auto& value : row) values.push_back(value.value_or("NULL"));
    rows.push_back(std::move(values));
  }
  return rows;
}

std::string WarehouseReader::Scalar(const std::string& sql) {
  const Rows rows = Query(sql);
  if (rows.size() != 1 || rows[0].size() != 1) {
    ADD_FAILURE() << "expected one value from: " << sql << " (got " << rows.size() << " rows)";
    return "";
  }
  return rows[0][0];
}

long long WarehouseReader::Int(const std::string& sql) {
  const std::string value = Scalar(sql);
  try {
    return std::stoll(value);
  } catch (const std::exception&) {
    ADD_FAILURE() << "not an integer: '" << value << "' from: " << sql;
    return -1;
  }
}

bool WarehouseReader::Execute(const std::string& sql) {
  if (!connection_) return false;
  auto status = connection_->Execute(sql);
  if (!status) ADD_FAILURE() << status.error().message << "\nin: " << sql;
  return static_cast<bool>(status);
}

void WriteTextFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  ASSERT_TRUE(out.good()) << "cannot write " << path;
}

namespace {

std::string RowsOf(const std::string& table) {
  return "SELECT COLUMNS(c -> c <> 'loaded_at') FROM " + table;
}

}  // namespace

void ExpectSameRows(WarehouseReader& db, const std::string& table) {
  EXPECT_EQ(db.Int("SELECT count(*) FROM " + table), db.Int("SELECT count(*) FROM b." + table))
      << table;
  EXPECT_EQ(db.Int("SELECT count(*) FROM (" + RowsOf(table) + " EXCEPT ALL " +
                   RowsOf("b." + table) + ")"),
            0)
      << table;
  EXPECT_EQ(db.Int("SELECT count(*) FROM (" + RowsOf("b." + table) + " EXCEPT ALL " +
                   RowsOf(table) + ")"),
            0)
      << table;
}

}  // namespace playlake::pipeline::testutil
