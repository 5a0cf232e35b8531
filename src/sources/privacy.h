// What Playlake keeps of personal data in exports (docs/privacy.md).
//
// Spotify's extended exports carry the listener's IP address on every row
// (`ip_addr`, or `ip_addr_decrypted` in older ones). Silver never stores it
// (the parser reads no such column); bronze keeps it only when the project
// asks (`privacy.bronze_ip_addresses: keep`), otherwise IpRedactor masks the
// values before the bytes are compressed into bronze.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace playlake::sources {

// True for JSON keys that hold an IP address ("ip_addr", "ip_addr_decrypted", ...).
bool IsIpAddressField(std::string_view key);

// True for keys whose values must not be quoted in reports (IP addresses,
// e-mail addresses, ...): drift examples of such fields are not shown.
bool IsPersonalField(std::string_view key);

// Masks the string values of IP-address keys in a stream of JSON text, in
// place: every byte between the value's quotes becomes '*'. Lengths, line
// breaks and byte offsets stay as they were, so bronze's bytes line up with
// the input's line numbers and offsets; the JSON stays valid. Values that are
// not strings (null) are left alone.
//
// The stream may be cut anywhere: state carries over between Apply calls.
// Thread safety: none; one redactor per stream.
class IpRedactor {
 public:
  // Redacts `bytes` in place; returns how many values were masked so far.
  std::size_t Apply(char* bytes, std::size_t size);
  std::size_t redacted() const { return redacted_; }

 private:
  enum class State { kOutside, kString, kAfterKey, kBeforeValue, kValue };
  State state_ = State::kOutside;
  bool escaped_ = false;
  bool key_too_long_ = false;
  std::string key_;  // the string being read, while it may still be a key
  std::size_t redacted_ = 0;
};

}  // namespace playlake::sources
