#include "sources/privacy.h"

namespace playlake::sources {
namespace {

constexpr std::size_t kLongestKey = 64;  // longer strings are not keys we look for

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

bool IsIpAddressField(std::string_view key) {
  return key.starts_with("ip_addr") || key == "ip" || key == "ip_address";
}

bool IsPersonalField(std::string_view key) {
  for (std::string_view part : {"ip_addr", "email", "password", "phone", "address", "birth"}) {
    if (key.find(part) != std::string_view::npos) return true;
  }
  return IsIpAddressField(key);
}

std::size_t IpRedactor::Apply(char* bytes, std::size_t size) {
  for (std::size_t i = 0; i < size; ++i) {
    const char c = bytes[i];
    switch (state_) {
      case State::kOutside:
        if (c == '"') {
          state_ = State::kString;
          key_.clear();
          key_too_long_ = false;
          escaped_ = false;
        }
        break;
      case State::kString:
        if (escaped_) {
          escaped_ = false;
        } else if (c == '\\') {
          escaped_ = true;
          key_too_long_ = true;  // our keys have no escapes
        } else if (c == '"') {
          state_ = key_too_long_ || !IsIpAddressField(key_) ? State::kOutside : State::kAfterKey;
          break;
        }
        if (!key_too_long_) {
          if (key_.size() >= kLongestKey) {
            key_too_long_ = true;
          } else {
            key_.push_back(c);
          }
        }
        break;
      case State::kAfterKey:  // an IP key's string ended: a key if ':' follows
        if (c == ':') {
          state_ = State::kBeforeValue;
        } else if (!IsSpace(c)) {
          state_ = State::kOutside;  // it was a value that looks like our key
          --i;                       // look at this byte again (it may open a string)
        }
        break;
      case State::kBeforeValue:
        if (c == '"') {
          state_ = State::kValue;
          escaped_ = false;
          ++redacted_;
        } else if (!IsSpace(c)) {
          state_ = State::kOutside;  // null, a number: nothing to mask
          --i;
        }
        break;
      case State::kValue:
        if (escaped_) {
          escaped_ = false;
        } else if (c == '\\') {
          escaped_ = true;
        } else if (c == '"') {
          state_ = State::kOutside;
          break;
        }
        bytes[i] = '*';
        break;
    }
  }
  return redacted_;
}

}  // namespace playlake::sources
