#include "stream/offset_record.h"

#include <algorithm>

namespace playlake::stream {

Result<std::vector<lake::ManifestEntry>> OffsetRecord::Refresh(lake::Lake& lake) {
  auto fresh = silver_.Read(lake);
  if (!fresh) return tl::unexpected(fresh.error());
  for (const auto& entry : *fresh) Note(entry);
  return fresh;
}

void OffsetRecord::Note(const lake::ManifestEntry& entry) {
  silver_.Seen(entry.batch_id);
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
