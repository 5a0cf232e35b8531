// Helpers shared by the fuzz targets: how a target turns libFuzzer's bytes
// into the inputs of the code under test. Header only; no state.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace playlake::fuzz {

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits off the first byte of `text` (a selector: which format, file name, ...)
// and returns it; `text` keeps the rest. 0 when `text` is empty.
inline unsigned TakeSelector(std::string_view& text) {
  if (text.empty()) return 0;
  const unsigned selector = static_cast<unsigned char>(text.front());
  text.remove_prefix(1);
  return selector;
}

// Calls `visit` with each line of `text` (without its '\n'), the last one too
// when the text does not end in a line break.
template <typename Visit>
void ForEachLine(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    visit(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// A property of the code under test does not hold: report it and abort, which
// libFuzzer records as a crash with the input that caused it.
[[noreturn]] inline void Violated(const char* what) {
  std::fprintf(stderr, "fuzz property violated: %s\n", what);
  std::abort();
}

}  // namespace playlake::fuzz
