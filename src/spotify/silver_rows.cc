#include "spotify/silver_rows.h"

#include <fmt/format.h>

#include <algorithm>

namespace playlake::spotify {
namespace {

std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

Result<std::unique_ptr<SilverRowWriter>> SilverRowWriter::Create() {
  auto db =
      warehouse::Database::Open(":memory:", {.threads = 1, .memory_limit = "", .read_only = false});
  if (!db) return tl::unexpected(db.error());
  auto conn = (*db)->Connect();
  if (!conn) return tl::unexpected(conn.error());
  return std::unique_ptr<SilverRowWriter>(new SilverRowWriter(std::move(*db), std::move(*conn)));
}

SilverRowWriter::SilverRowWriter(std::unique_ptr<warehouse::Database> db,
                                 std::unique_ptr<warehouse::Connection> conn)
    : db_(std::move(db)), conn_(std::move(conn)) {}

Result<std::optional<lake::DataFile>> SilverRowWriter::Write(lake::Lake& lake,
                                                             const SilverTableSpec& spec,
                                                             const std::vector<SilverRow>& rows,
                                                             const std::string& batch_id) {
  if (rows.empty()) return std::nullopt;
  std::string columns, placeholders, keys, key_match, batch_column;
  for (const auto& column : spec.columns) {
    if (column.name == kBatchIdColumn) {  // not in the rows: this batch's id
      batch_column = fmt::format(", {} AS {}", Quoted(batch_id), column.name);
      continue;
    }
    columns += fmt::format("{}{} {}", columns.empty() ? "" : ", ", column.name, column.sql_type);
    placeholders += fmt::format("{}?::{}", placeholders.empty() ? "" : ", ", column.sql_type);
  }
  for (const auto& key : spec.key) {
    keys += (keys.empty() ? "" : ", ") + key;
    key_match +=
        fmt::format("{}e.{} IS NOT DISTINCT FROM s.{}", key_match.empty() ? "" : " AND ", key, key);
  }
  if (auto s = conn_->Execute(fmt::format("CREATE OR REPLACE TEMP TABLE staged ({})", columns));
      !s) {
    return tl::unexpected(s.error());
  }
  // Up to 64 rows per INSERT: one statement per row cost more than the rest
  // of a catalog batch's landing together.
  constexpr std::size_t kRowsPerInsert = 64;
  for (std::size_t first = 0; first < rows.size(); first += kRowsPerInsert) {
    const std::size_t end = std::min(rows.size(), first + kRowsPerInsert);
    std::string tuples;
    std::vector<warehouse::Param> params;
    for (std::size_t i = first; i < end; ++i) {
      tuples += fmt::format("{}({})", tuples.empty() ? "" : ", ", placeholders);
      params.insert(params.end(), rows[i].begin(), rows[i].end());
    }
    if (auto r = conn_->Query("INSERT INTO staged VALUES " + tuples, params); !r) {
      return Fail(ErrorCode::kData, fmt::format("silver {}: a value does not fit its column: {}",
                                                spec.name, r.error().message));
    }
  }
  std::string existing;
  if (!spec.keyed_by_lookup) {
    auto committed = lake.CommittedFiles("silver", spec.name);
    if (!committed) return tl::unexpected(committed.error());
    for (const auto& file : *committed) {
      existing += (existing.empty() ? "" : ", ") + Quoted(lake.storage().Url(file.key));
    }
  }
  const std::string not_committed =
      existing.empty()
          ? ""
          : fmt::format(" WHERE NOT EXISTS (SELECT 1 FROM read_parquet([{}]) e WHERE {})", existing,
                        key_match);
  const std::string folder = "silver/" + spec.name;
  const std::string key = fmt::format("{}/{}.{}.parquet", folder, batch_id, lake.NewNonce());
  if (auto s = lake.storage().PrepareFolder(folder); !s) return tl::unexpected(s.error());
  const std::string path = lake.storage().Url(key);
  auto copied = conn_->Query(fmt::format(
      "COPY (SELECT DISTINCT ON ({}) *{} FROM staged s{} ORDER BY {}) TO {} (FORMAT parquet, "
      "COMPRESSION zstd)",
      keys, batch_column, not_committed, keys, Quoted(path)));
  if (!copied) return tl::unexpected(copied.error());
  auto written =
      conn_->QueryScalar(fmt::format("SELECT count(*) FROM read_parquet({})", Quoted(path)));
  if (!written) return tl::unexpected(written.error());
  const std::int64_t count = std::stoll(*written);
  if (count == 0) {
    if (auto s = lake.storage().Remove(key); !s) return tl::unexpected(s.error());
    return std::nullopt;
  }
  if (auto s = lake.storage().SyncExisting(key); !s) return tl::unexpected(s.error());
  std::error_code ec;
  const auto bytes = std::filesystem::file_size(path, ec);
  // The file's columns are the staged table's, then the batch id (if any):
  // every column of the spec.
  lake::FileColumns file_columns;
  for (const auto& column : spec.columns) file_columns.emplace_back(column.name, column.sql_type);
  return lake::DataFile{spec.name, key, count, ec ? 0 : bytes,
                        lake::SchemaFingerprint(file_columns)};
}

}  // namespace playlake::spotify
