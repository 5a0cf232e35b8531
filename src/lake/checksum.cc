#include "lake/checksum.h"

namespace playlake::lake {

std::string FileBatchId(std::string_view file_name, std::uint64_t size,
                        std::string_view checksum_hex, std::string_view user) {
  std::string input(file_name);
  input.push_back('\0');
  input += std::to_string(size);
  input.push_back('\0');
  input += checksum_hex;
  if (!user.empty()) {
    input.push_back('\0');
    input += user;
  }
  return Hash128Hex(input).substr(0, 24);
}

}  // namespace playlake::lake
