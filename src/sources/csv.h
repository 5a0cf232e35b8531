// CSV play events (`--format csv`, docs/silver.md "CSV input"): RFC 4180 text
// whose first line is a header. The header decides how rows are read:
//   - columns named after play-event contract fields (docs/event-contract.md);
//   - eventsim / Sparkify's field names (`ts`, `sessionId`, `page`, ...): each
//     row is read as the same eventsim JSON record would be;
//   - a Last.fm scrobble export (`uts`, `artist`, `track`, ...), or the
//     header-less Last.fm form `artist,album,track,date` (line 1 is a play);
//   - any header, with a CsvMapping from contract fields to its columns.
//
//   auto header = CsvHeader::Parse(first_line, mapping);  // once per file
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
#include <utility>
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

namespace reason {
// A time written in scientific notation too coarse to place the play within
// a second (a spreadsheet rounded it: "1.63E+12").
inline constexpr std::string_view kImpreciseTimestamp = "imprecise_timestamp";
}  // namespace reason

// How a column's text becomes a value (the contract type of its field).
enum class CsvType : std::uint8_t {
  kIgnored,  // not a contract field: silver ignores it (bronze keeps it)
  kText,     // a string field
  kTime,     // `ts`: read by the header's CsvTimeFormat
  kInteger,  // `ms_played`, `duration_ms`, eventsim numbers: a number when the text is one
  kBool,     // `shuffle`, `skipped`, `offline`: true/false in any case
};

// How the `ts` column is written. Epoch numbers may be in scientific notation
// ("1.630000123E+12", as spreadsheets write them); one too coarse to place
// the play within a second is rejected as `imprecise_timestamp`.
enum class CsvTimeFormat : std::uint8_t {
  kAuto,          // "auto": a number is epoch ms, text RFC 3339 or "dd Mon yyyy, HH:MM"
  kEpochSeconds,  // "epoch_s"
  kEpochMillis,   // "epoch_ms"
  kRfc3339,       // "rfc3339"
  kDayMonthYear,  // "dd Mon yyyy, HH:MM" (UTC; Last.fm)
};
std::optional<CsvTimeFormat> ParseCsvTimeFormat(std::string_view name);

// The user's reading of a CSV whose header does not name contract fields
// (`--csv-map`, `--ts-format`; `csv:` on a source in playlake.yml).
struct CsvMapping {
  // Contract field → the header's column holding it ("user_id" → "Listener").
  std::vector<std::pair<std::string, std::string>> columns;
  std::string timestamp_format;  // a CsvTimeFormat name; empty: the header's default

  bool empty() const { return columns.empty() && timestamp_format.empty(); }
  // Error{kInvalidArgument} naming the entry: "columns.<field>: ..." for a
  // field that is not a contract field or is mapped twice,
  // "timestamp_format: ..." for an unknown format.
  Status Validate() const;
  // Stable text of the mapping (part of a re-processed batch's id).
  std::string Signature() const;
};

// How a CSV's rows become plays.
enum class CsvProfile : std::uint8_t {
  kContract,  // contract field names: every required field has a column
  kEventsim,  // eventsim field names: rows are eventsim records
  kMapped,    // Last.fm or a CsvMapping: missing ids are derived (see Parse)
};

// The header line of a CSV of play events: which contract field each column
// holds. Immutable once parsed; safe to share between threads.
class CsvHeader {
 public:
  // Parses line 1 of a file (a UTF-8 byte order mark is skipped; names are
  // trimmed and case-sensitive). With a non-empty `mapping.columns` its
  // columns hold the fields it names (and a column named after a field it
  // does not map holds that field); otherwise the header is recognised as
  // eventsim, Last.fm (with or without a header line) or contract names.
  // kMapped headers need `ts` and `track_id` or `track_name`; an unmapped
  // event_id is derived from the row's content, an unmapped user_id is the
  // source's user, an unmapped ms_played is NULL.
  // Error{kData} says what is wrong: a required field without a column, a
  // mapped column the header lacks, a field named by two columns, broken
  // quoting, invalid UTF-8.
  // REQUIRES: mapping.Validate() succeeded.
  static Result<CsvHeader> Parse(std::string_view line, const CsvMapping& mapping = {});

  std::size_t columns() const { return keys_.size(); }
  // Index of the column's field in keys(), or -1.
  int key(std::size_t column) const { return keys_[column]; }
  CsvType type(std::size_t column) const { return types_[column]; }
  CsvProfile profile() const { return profile_; }
  // What the header was read as: "contract", "eventsim", "lastfm",
  // "lastfm-headerless" or "mapping".
  std::string_view kind() const { return kind_; }
  // The field names values are indexed by (play-event or eventsim keys).
  std::span<const std::string_view> keys() const;
  CsvTimeFormat time_format() const { return time_format_; }
  // True when line 1 is a play, not a header (header-less Last.fm).
  bool line1_is_data() const { return line1_is_data_; }
  // kMapped: whether the play-event key `field` has a column.
  bool has(int field) const;

 private:
  using Names = std::vector<std::string_view>;
  static Result<CsvHeader> Contract(const Names& names);
  static Result<CsvHeader> Eventsim(const Names& names);
  static Result<CsvHeader> Mapped(const Names& names,
                                  const std::vector<std::pair<std::string, std::string>>& columns,
                                  std::string_view kind);
  // Appends the next column (key -1: ignored); Error{kData} when the key has a column already.
  Status Add(int key, CsvType type, std::string_view field);

  std::vector<int> keys_;
  std::vector<CsvType> types_;
  CsvProfile profile_ = CsvProfile::kContract;
  std::string_view kind_ = "contract";
  CsvTimeFormat time_format_ = CsvTimeFormat::kAuto;
  bool line1_is_data_ = false;
};

}  // namespace playlake::sources
