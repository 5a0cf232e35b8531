// Text cleaning for silver: UTF-8 validation and repair, trimming, quotes.
//
// All functions are pure and thread safe. Functions returning string_view
// return either a view into their input or into `scratch`, which the caller
// owns and must keep alive as long as the view.
#pragma once

#include <string>
#include <string_view>

namespace playlake::sources {

bool IsValidUtf8(std::string_view text);

// Replaces each byte that does not start a valid UTF-8 sequence with U+FFFD,
// so text that quotes input cut at a byte count (a quarantine detail) stays
// valid for a VARCHAR column. Valid text is left unchanged.
void ReplaceInvalidUtf8(std::string& text);

// Repairs UTF-8 that was decoded as Latin-1 and encoded again, once or twice
// ("BjÃ¶rk", and Sparkify's "BjÃ\u0083Â¶rk" → "Björk"). Text is repaired only
// when every code point is ≤ U+00FF, at least one is ≥ U+0080, and its
// Latin-1 bytes form valid multi-byte UTF-8 — genuine Latin-1 text such as
// "Café" never meets the last condition, so it is left alone.
// Returns true and sets `out` when it repaired something.
bool RepairDoubleEncoding(std::string_view text, std::string& out);

// Strips ASCII whitespace (and NBSP-free: only ' ', \t, \r, \n, \f, \v).
std::string_view Trim(std::string_view text);

// Removes one pair of literal surrounding double quotes ("\"Mozilla/5.0\"").
std::string_view StripQuotes(std::string_view text);

}  // namespace playlake::sources
