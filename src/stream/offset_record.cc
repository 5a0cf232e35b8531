#include "stream/offset_record.h"

#include <algorithm>

namespace playlake::stream {

Result<std::vector<lake::ManifestEntry>> OffsetRecord::Refresh(lake::Lake& lake) {
  auto ids = lake.BatchIds("silver");
  if (!ids) return tl::unexpected(ids.error());
  std::vector<lake::ManifestEntry> fresh;
  for (const auto& batch_id : *ids) {
    if (seen_.contains(batch_id)) continue;
    auto entry = lake.Find("silver", batch_id);
    if (!entry) return tl::unexpected(entry.error());
    if (!*entry) continue;  // listed then gone: not a manifest Playlake wrote
    Note(**entry);
    fresh.push_back(std::move(**entry));
  }
  return fresh;
}

void OffsetRecord::Note(const lake::ManifestEntry& entry) {
  seen_.insert(entry.batch_id);
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
