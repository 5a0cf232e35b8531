#include "spotify/silver_rows.h"

#include <fmt/format.h>

#include <map>

namespace playlake::spotify {
namespace {

const std::map<std::string, SilverTableSpec>& Tables() {
  static const auto* tables = new std::map<std::string, SilverTableSpec>{
      {"spotify_plays",
       {"spotify_plays",
        {{"played_at", "TIMESTAMPTZ"},
         {"track_id", "VARCHAR"},
         {"context_type", "VARCHAR"},
         {"context_uri", "VARCHAR"}},
        {"played_at", "track_id"}}},
      {"spotify_top_tracks",
       {"spotify_top_tracks",
        {{"snapshot_date", "DATE"},
         {"time_range", "VARCHAR"},
         {"rank", "BIGINT"},
         {"track_id", "VARCHAR"}},
        {"snapshot_date", "time_range", "rank"}}},
      {"spotify_top_artists",
       {"spotify_top_artists",
        {{"snapshot_date", "DATE"},
         {"time_range", "VARCHAR"},
         {"rank", "BIGINT"},
         {"artist_id", "VARCHAR"}},
        {"snapshot_date", "time_range", "rank"}}},
      {"spotify_saved_tracks",
       {"spotify_saved_tracks",
        {{"added_at", "TIMESTAMPTZ"}, {"track_id", "VARCHAR"}},
        {"track_id", "added_at"}}},
      {"spotify_playlists",
       {"spotify_playlists",
        {{"playlist_id", "VARCHAR"},
         {"snapshot_id", "VARCHAR"},
         {"name", "VARCHAR"},
         {"owner_id", "VARCHAR"},
         {"public", "BOOLEAN"},
         {"collaborative", "BOOLEAN"},
         {"items_total", "BIGINT"}},
        {"playlist_id", "snapshot_id"}}},
      {"spotify_playlist_items",
       {"spotify_playlist_items",
        {{"playlist_id", "VARCHAR"},
         {"snapshot_id", "VARCHAR"},
         {"position", "BIGINT"},
         {"added_at", "TIMESTAMPTZ"},
         {"track_id", "VARCHAR"}},
        {"playlist_id", "snapshot_id", "position"}}},
  };
  return *tables;
}

std::string Quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

}  // namespace

const SilverTableSpec* FindSilverTable(const std::string& name) {
  const auto found = Tables().find(name);
  return found == Tables().end() ? nullptr : &found->second;
}

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
  std::string columns, placeholders, keys, key_match;
  for (const auto& column : spec.columns) {
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
  const std::string insert = fmt::format("INSERT INTO staged VALUES ({})", placeholders);
  for (const SilverRow& row : rows) {
    if (auto r = conn_->Query(insert, row); !r) {
      return Fail(ErrorCode::kData, fmt::format("silver {}: a value does not fit its column: {}",
                                                spec.name, r.error().message));
    }
  }
  auto committed = lake.CommittedFiles("silver", spec.name);
  if (!committed) return tl::unexpected(committed.error());
  std::string existing;
  for (const auto& file : *committed) {
    existing += (existing.empty() ? "" : ", ") + Quoted(lake.storage().Url(file.key));
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
      "COPY (SELECT DISTINCT ON ({}) * FROM staged s{} ORDER BY {}) TO {} (FORMAT parquet, "
      "COMPRESSION zstd)",
      keys, not_committed, keys, Quoted(path)));
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
  return lake::DataFile{spec.name, key, count, ec ? 0 : bytes};
}

}  // namespace playlake::spotify
