#include "spotify/land.h"

#include "common/hash.h"
#include "lake/bronze.h"
#include "lake/zstd_stream.h"

namespace playlake::spotify {

Result<lake::DataFile> Lander::WriteBronze(const std::string& pull, const std::string& batch_id,
                                           const std::string& body) {
  const std::string key =
      lake::BronzeKey(source_, pull, lake_.Now(), batch_id, lake_.NewNonce(), "json");
  auto file = lake_.storage().Create(key);
  if (!file) return tl::unexpected(file.error());
  {
    lake::ZstdWriter zstd(**file, 3, 0);
    if (auto s = zstd.Append(body); !s) return tl::unexpected(s.error());
    if (auto s = zstd.Finish(); !s) return tl::unexpected(s.error());
  }
  const std::uint64_t bytes = (*file)->size();
  lake_.faults().At("bronze-written");
  if (auto s = (*file)->Sync(); !s) return tl::unexpected(s.error());
  lake_.faults().At("bronze-synced");
  if (auto s = (*file)->Close(); !s) return tl::unexpected(s.error());
  return lake::DataFile{pull, key, 1, bytes};
}

Status Lander::Land(const std::string& pull, const std::string& url, const std::string& body,
                    const TableRows& rows, const std::map<std::string, std::int64_t>& stats,
                    const std::string& salt) {
  std::lock_guard lock(mutex_);
  const std::string checksum = Hash128Hex(body);
  std::string identity = "spotify_api";
  for (const std::string* part : {&source_, &pull, &url, &checksum}) {
    identity += '\0';
    identity += *part;
  }
  if (!salt.empty()) identity += '\0' + salt;
  const std::string batch_id = Hash128Hex(identity).substr(0, 24);
  auto silver = lake_.Find("silver", batch_id);
  if (!silver) return tl::unexpected(silver.error());
  if (*silver) {
    ++report_.already;
    return {};
  }
  lake::ManifestEntry entry;
  entry.batch_id = batch_id;
  entry.source = source_;
  entry.format = "spotify_api";
  entry.entity = pull;
  entry.input_path = url;  // the request, without its query's secrets (there are none)
  entry.input_size = body.size();
  entry.input_checksum = checksum;
  auto bronze = lake_.Find("bronze", batch_id);
  if (!bronze) return tl::unexpected(bronze.error());
  if (!*bronze) {
    auto file = WriteBronze(pull, batch_id, body);
    if (!file) return tl::unexpected(file.error());
    lake::ManifestEntry bronze_entry = entry;
    bronze_entry.layer = "bronze";
    bronze_entry.files = {*file};
    if (auto committed = lake_.Commit(bronze_entry); !committed) {
      return tl::unexpected(committed.error());
    }
    lake_.faults().At("bronze-committed");
  }
  entry.layer = "silver";
  entry.stats = stats;
  for (const auto& [table, table_rows] : rows) {
    const SilverTableSpec* spec = FindSilverTable(table);
    auto file = writer_.Write(lake_, *spec, table_rows, batch_id);
    if (!file) return tl::unexpected(file.error());
    entry.stats["records." + table] = static_cast<std::int64_t>(table_rows.size());
    if (!*file) continue;
    entry.stats["rows." + table] = (*file)->rows;
    entry.files.push_back(**file);
  }
  // SilverRowWriter synced each file before returning it.
  lake_.faults().At("silver-staged");
  lake_.faults().At("silver-synced");
  auto committed = lake_.Commit(entry);
  if (!committed) return tl::unexpected(committed.error());
  lake_.faults().At("silver-committed");
  ++report_.responses;
  for (const auto& file : entry.files) report_.rows[file.table] += file.rows;
  return {};
}

}  // namespace playlake::spotify
