// Content checksums and batch ids.
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

namespace playlake::lake {

// Incremental XXH3-128 of a byte stream. Not thread safe.
class Checksum {
 public:
  Checksum();
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  void Update(std::string_view bytes);
  // 32 lower-case hex digits of the digest so far.
  std::string Hex() const;

 private:
  void* state_;  // XXH3_state_t, kept out of the header
};

std::string Hash128Hex(std::string_view bytes);
// Writes the 32 hex digits of XXH3-128(bytes) to `out` without allocating.
void Hash128HexTo(std::string_view bytes, char (&out)[32]);
std::uint64_t Hash64(std::string_view bytes);

std::string FileBatchId(std::string_view file_name, std::uint64_t size,
                        std::string_view checksum_hex, std::string_view user = {});

}  // namespace playlake::lake
