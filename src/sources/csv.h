// CSV play events (`--format csv`, docs/silver.md "CSV input"): RFC 4180 text
// whose first line is a header naming play-event contract fields
// (docs/event-contract.md).
//
//   auto header = CsvHeader::Parse(first_line);    // once per file
//   parser.SetCsvHeader(&*header);                  // RecordParser, per worker
//   parser.Parse(line, ...);                        // one data line → one play
//
// The batch processor cuts a file into lines exactly as it does NDJSON, so a
// record is one line: a quoted field cannot contain a line break (such a line
// is quarantined as `unterminated_quote`, and so are the pieces after it, each
// with its own reason). Every data row goes through the same cleaning and
// validation as a Playlake NDJSON record: RecordParser turns its fields into
// the values a JSON object would have given, then runs the same code.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sources/record_parser.h"

namespace playlake::sources {

// Splits one CSV line into fields: comma separated; a field may be enclosed
// in double quotes, inside which `""` is one quote and commas, "\r" and
// other bytes are data. A final "\n" or "\r\n" is the line's end, not data.
//
// Fields are views into the line or into the splitter's buffer: valid until
// the next Split. Reuses its buffers, so splitting allocates only when a line
// is longer than every line before it.
// Thread safety: none; one splitter per thread.
class CsvSplitter {
 public:
  // Returns a Rejection (reason `unterminated_quote` or `invalid_csv`, the
  // detail naming the 1-based column) when the quoting is broken.
  std::optional<Rejection> Split(std::string_view line);
  std::span<const std::string_view> fields() const { return fields_; }

 private:
  std::vector<std::string_view> fields_;
  std::string unescaped_;  // quoted fields that contained "" escapes
};

// How a column's text becomes a value (the contract type of its field).
enum class CsvType : std::uint8_t {
  kIgnored,  // not a contract field: silver ignores it (bronze keeps it)
  kText,     // a string field
  kTime,     // `ts`: an integer is epoch milliseconds, anything else a time string
  kInteger,  // `ms_played`, `duration_ms`: a number when the text is one
  kBool,     // `shuffle`, `skipped`, `offline`: true/false in any case
};

// The header line of a CSV of play events: which contract field each column
// holds. Immutable once parsed; safe to share between threads.
class CsvHeader {
 public:
  // Parses line 1 of a file (a UTF-8 byte order mark is skipped; names are
  // trimmed and case-sensitive). Error{kData} says what is wrong: a required
  // field (event_id, ts, user_id, track_id, ms_played) without a column, a
  // field named by two columns, broken quoting, invalid UTF-8.
  static Result<CsvHeader> Parse(std::string_view line);

  std::size_t columns() const { return keys_.size(); }
  // Index of the column's field in RecordParser's play-event keys, or -1.
  int key(std::size_t column) const { return keys_[column]; }
  CsvType type(std::size_t column) const { return types_[column]; }

 private:
  std::vector<int> keys_;
  std::vector<CsvType> types_;
};

}  // namespace playlake::sources
