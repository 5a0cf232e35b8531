// OffsetRecord: the lake's record of which Kafka offsets it holds.
//
// Every committed silver stream batch names its range (ManifestEntry::kafka);
// a partition's ranges follow each other, so its record is the offset after
// the last committed range. Manifests never change once published, so a
// refresh reads only those it has not seen.
//
// Thread safety: none. Errors: those of Lake (kIo, kData).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "lake/lake.h"

namespace playlake::stream {

class OffsetRecord {
 public:
  // Reads the silver manifests published since the last call; returns them.
  Result<std::vector<lake::ManifestEntry>> Refresh(lake::Lake& lake);
  // Takes a silver entry this process has just committed (no re-read).
  void Note(const lake::ManifestEntry& entry);
  // The offset after the last committed one of (topic, partition); nullopt
  // when the lake holds none of it.
  std::optional<std::int64_t> Next(const std::string& topic, int partition) const;

 private:
  lake::NewEntries silver_{"silver"};
  std::map<std::pair<std::string, int>, std::int64_t> next_;
};

}  // namespace playlake::stream
