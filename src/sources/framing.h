// Record framing of whole-document inputs: the elements of a JSON array
// (Spotify exports) or a sequence of top-level JSON values (MSD song files,
// pretty-printed or not). NDJSON is framed by lines in silver's reader.
//
// The scanner only tracks strings and nesting; each record is then parsed on
// its own, so one bad element is quarantined while its neighbours land.
// Pure functions, thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace playlake::sources {

struct RecordSpan {
  std::size_t begin = 0;  // byte offset in the document
  std::size_t end = 0;    // one past the last byte
  std::int64_t line = 1;  // 1-based line of `begin`
};

struct FramedDocument {
  std::vector<RecordSpan> records;
  // Bytes that could not be framed (truncated document, text after the
  // closing bracket, a document that is not an array): quarantined whole.
  bool has_bad_tail = false;
  RecordSpan bad_tail;
  std::string bad_reason;  // quarantine reason code, e.g. "truncated_json"
  std::string bad_detail;
};

FramedDocument FrameJsonArray(std::string_view text);
FramedDocument FrameJsonValues(std::string_view text);

}  // namespace playlake::sources
