#include "sources/text.h"

#include <cstdint>
#include <utility>

namespace playlake::sources {
namespace {

// Decodes one UTF-8 sequence at `text[i]`; returns its length, 0 if invalid.
std::size_t DecodeOne(std::string_view text, std::size_t i, std::uint32_t& cp) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char b0 = byte(i);
  std::size_t len;
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return 0;
  }
  if (i + len > text.size()) return 0;
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// One round of repair; false when `text` does not look double-encoded.
bool RepairOnce(std::string_view text, std::string& out) {
  std::string bytes;
  bytes.reserve(text.size());
  bool high = false;
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp;
    const std::size_t len = DecodeOne(text, i, cp);
    if (len == 0 || cp > 0xFF) return false;
    if (cp >= 0x80) high = true;
    bytes.push_back(static_cast<char>(cp));
    i += len;
  }
  if (!high || !IsValidUtf8(bytes)) return false;
  out = std::move(bytes);
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v'; }

}  // namespace

bool IsValidUtf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    std::uint32_t cp;
    const std::size_t len = DecodeOne(text, i, cp);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

void ReplaceInvalidUtf8(std::string& text) {
  if (IsValidUtf8(text)) return;
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    std::uint32_t cp;
    const std::size_t len = DecodeOne(text, i, cp);
    if (len == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text, i, len);
      i += len;
    }
  }
  text = std::move(out);
}

bool RepairDoubleEncoding(std::string_view text, std::string& out) {
  // Fast path: pure ASCII never needs repair.
  bool ascii = true;
  for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) return false;
  std::string current(text);
  bool repaired = false;
  // Two rounds undo Sparkify's double mojibake; a third is a safety margin.
  for (int round = 0; round < 3; ++round) {
    std::string next;
    if (!RepairOnce(current, next)) break;
    current = std::move(next);
    repaired = true;
  }
  if (repaired) out = std::move(current);
  return repaired;
}

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view StripQuotes(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    text.remove_prefix(1);
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace playlake::sources
