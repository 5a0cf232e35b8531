// RecordParser: one raw record (a JSON object, or a line of a CSV of play
// events) of any input format → typed, cleaned rows in the silver tables, or
// a rejection with a reason code.
//
// Cleaning rules applied here (each is tested in record_parser_test.cc):
// UTF-8 repair of double-encoded text, trimming, empty → NULL, surrounding
// quotes stripped from user agents, every time format to UTC, device and
// platform standardised, ISO country codes, levels, Spotify URIs → ids,
// deterministic ids for sources without event ids, Spotify `ts` (end of play)
// → event_ts (start).
//
// Thread safety: none; use one RecordParser per thread (it owns a simdjson
// parser and scratch buffers that are reused for every record).
// Ownership: borrows the BatchContext, which must outlive the parser and the
// rows it produces (their lineage columns refer to the context's strings).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "lake/manifest.h"
#include "sources/column_batch.h"
#include "sources/format.h"
#include "sources/tables.h"

namespace playlake::sources {

// Quarantine reason codes (docs/silver.md).
namespace reason {
inline constexpr std::string_view kInvalidJson = "invalid_json";
inline constexpr std::string_view kTruncatedJson = "truncated_json";
inline constexpr std::string_view kInvalidUtf8 = "invalid_utf8";
inline constexpr std::string_view kNotAnObject = "not_an_object";
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kWrongType = "wrong_type";
inline constexpr std::string_view kOutOfRange = "out_of_range";
inline constexpr std::string_view kInvalidValue = "invalid_value";
// Kafka offsets a stream batch covers that the broker deleted before they
// were read (retention, compaction): one row per gap.
inline constexpr std::string_view kOffsetsDeleted = "deleted_by_broker";
inline constexpr std::string_view kInvalidTimestamp = "invalid_timestamp";
inline constexpr std::string_view kRecordTooLong = "record_too_long";
inline constexpr std::string_view kNoContent = "no_content";
inline constexpr std::string_view kUnknownFormat = "unknown_format";
inline constexpr std::string_view kUnknownCatalogFile = "unknown_catalog_file";
inline constexpr std::string_view kInvalidCsv = "invalid_csv";
inline constexpr std::string_view kUnterminatedQuote = "unterminated_quote";
inline constexpr std::string_view kWrongFieldCount = "wrong_field_count";
inline constexpr std::string_view kInvalidCsvHeader = "invalid_csv_header";
}  // namespace reason

class CsvHeader;

struct Rejection {
  std::string_view reason;  // one of reason::k*
  std::string detail;       // names the field and the value or the parser's message
  Table target = Table::kPlays;
};

// Facts about the batch that are the same for every record.
struct BatchContext {
  Format format = Format::kPlaylake;
  std::string source_file;   // lineage: the input path
  std::string file_name;     // base name (catalog entity detection)
  std::string batch_id;
  std::string user;          // default listener for Spotify exports; may be empty
  std::string format_label;  // overrides FormatName(format) in quarantine rows ("unknown")
  std::string timezone{};  // IANA zone of the listener (sources[].timezone); empty: from the country
  // Line number of the batch's first line. A Kafka batch (one message a line)
  // starts at its first offset, so a quarantine row's `line` is the offset.
  std::int64_t first_line = 1;
};

// The rows produced from a slice of input: one batch per silver table.
struct TableBatches {
  TableBatches();
  ColumnBatch& operator[](Table t) { return batches[static_cast<int>(t)]; }
  std::array<ColumnBatch, kTableCount> batches;
};

class RecordParser {
 public:
  explicit RecordParser(const BatchContext& context);
  ~RecordParser();
  RecordParser(const RecordParser&) = delete;
  RecordParser& operator=(const RecordParser&) = delete;

  // Format::kCsv only: the file's header (csv.h), without which a CSV line
  // cannot be read. Not owned.
  // REQUIRES: called before the first Parse of a CSV batch; `header` outlives
  // every Parse.
  void SetCsvHeader(const CsvHeader* header);

  // Parses one record. `padded` must stay readable for `capacity` bytes
  // (≥ record.size() + 64, simdjson's padding; CSV lines need none).
  // Accepted records add rows to `out`; a rejected one returns its Rejection
  // and adds nothing.
  // Errors (not rejections): Error{kInvalidArgument} when a Spotify export has
  // no username and no user was given — the whole file must be refused.
  Result<std::optional<Rejection>> Parse(std::string_view record, std::size_t capacity,
                                         std::int64_t line, TableBatches& out);

  // The table a record of this batch is meant for (for quarantine rows).
  Table DefaultTarget() const;

  // What the records parsed so far held beyond their format's contract:
  // unknown fields and values, approximate time zones (lake::Drift).
  const lake::Drift& drift() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// simdjson needs this many readable bytes after a record.
inline constexpr std::size_t kRecordPadding = 64;

}  // namespace playlake::sources
