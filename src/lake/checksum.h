// Batch ids (the hashes themselves are common/hash.h).
//
// A batch id names one unit of input (a file today; a Kafka offset range or an
// API cursor later) and is derived only from that input, so replaying the same
// input finds the same id and becomes a no-op. For a file it is the first 24
// hex digits of XXH3-128 over "file name\0size\0checksum[\0user]", where
// checksum is the XXH3-128 of the content and user the listener given with
// the input (--user: whose plays a Spotify export without a username holds).
// The folder is not part of it, so a project or an inbox moved elsewhere finds
// its batches committed. Row ids derived from content use the same hash.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/hash.h"

namespace playlake::lake {

std::string FileBatchId(std::string_view file_name, std::uint64_t size,
                        std::string_view checksum_hex, std::string_view user = {});

}  // namespace playlake::lake
