#include "stream/offset_record.h"

#include <algorithm>

namespace playlake::stream {

Result<std::vector<lake::ManifestEntry>> OffsetRecord::Refresh(lake::Lake& lake) {
  auto keys = lake.storage().List("_manifests/silver");
  if (!keys) return tl::unexpected(keys.error());
  std::vector<lake::ManifestEntry> fresh;
  for (const auto& key : *keys) {
    if (!key.ends_with(".json") || seen_.contains(key)) continue;
    const auto slash = key.rfind('/');
    const std::string batch_id = key.substr(slash + 1, key.size() - slash - 1 - 5);
    auto entry = lake.Find("silver", batch_id);
    if (!entry) return tl::unexpected(entry.error());
    if (!*entry) continue;  // listed then gone: not a manifest Playlake wrote
    Note(**entry);
    fresh.push_back(std::move(**entry));
  }
  return fresh;
}

void OffsetRecord::Note(const lake::ManifestEntry& entry) {
  seen_.insert(lake::ManifestKey("silver", entry.batch_id));
  if (!entry.kafka) return;
  auto& next = next_[{entry.kafka->topic, entry.kafka->partition}];
  next = std::max(next, entry.kafka->last_offset + 1);
}

std::optional<std::int64_t> OffsetRecord::Next(const std::string& topic, int partition) const {
  const auto it = next_.find({topic, partition});
  if (it == next_.end()) return std::nullopt;
  return it->second;
}

}  // namespace playlake::stream
