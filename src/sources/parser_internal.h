// Internals shared by the per-format parsers (not part of the public API).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "lake/manifest.h"
#include "sources/csv.h"
#include "sources/record_parser.h"

namespace playlake::sources::internal {

// One field value of a record, as read from the JSON object. Strings point
// into simdjson's buffer: valid until the next record is parsed.
struct FieldValue {
  enum Kind : std::uint8_t { kAbsent, kNull, kString, kInt, kDouble, kBool, kCompound };
  Kind kind = kAbsent;
  std::string_view s;
  std::int64_t i = 0;
  double d = 0;
  bool b = false;
};

const char* KindName(FieldValue::Kind kind);

// Per-parser reusable state and helpers for cleaning values.
class Cleaner {
 public:
  // Starts a new record: scratch strings from the last one are reused.
  void Reset() { used_ = 0; }

  // Text as silver stores it: double-encoding repaired, trimmed, empty → NULL
  // (a view with data() == nullptr).
  std::string_view Text(std::string_view raw);
  // Stable copy of `text` for the rest of the record.
  std::string_view Keep(std::string_view text);
  std::string& Scratch();

  // What the records held beyond their format's contract, for the whole
  // batch (not reset per record).
  lake::Drift& drift() { return drift_; }

 private:
  lake::Drift drift_;
  std::deque<std::string> scratch_;  // deque: views stay valid as it grows
  std::size_t used_ = 0;
};

// Reads a field as text; numbers are rendered (sessionId 38 → "38").
// Returns a Rejection on objects/arrays.
std::optional<Rejection> AsText(const FieldValue& v, std::string_view field, Cleaner& cleaner,
                                std::string_view& out, Table target);
// Integral numbers only (1.0 is fine, 1.5 is not); NULL stays NULL.
std::optional<Rejection> AsInt(const FieldValue& v, std::string_view field,
                               std::optional<std::int64_t>& out, Table target);
std::optional<Rejection> AsDouble(const FieldValue& v, std::string_view field,
                                  std::optional<double>& out, Table target);
std::optional<Rejection> AsBool(const FieldValue& v, std::string_view field,
                                std::optional<bool>& out, Table target);

// Counts one occurrence of `key` in `into`, keeping `example` while there are
// fewer than Observed::kMaxExamples distinct ones (cut to 80 bytes).
void Observe(std::map<std::string, lake::Observed>& into, std::string_view key,
             std::string_view example);

Rejection Missing(std::string_view field, Table target);
Rejection Bad(std::string_view reason, Table target, std::string detail);

// Last segment of "spotify:track:ID" (any entity); the text itself otherwise.
std::string_view SpotifyId(std::string_view uri);

// Joins parts with '\x1f' and hashes them to a 32-hex-digit id.
std::string_view ContentId(std::span<const std::string_view> parts, Cleaner& cleaner);

// Sets a text column only when the value is not NULL.
inline void PutText(ColumnBatch& b, int column, std::string_view v) {
  if (v.data() != nullptr) b.SetText(column, v);
}
template <typename T>
void PutInt(ColumnBatch& b, int column, const std::optional<T>& v) {
  if (v) b.SetInt(column, static_cast<std::int64_t>(*v));
}
inline void PutBool(ColumnBatch& b, int column, const std::optional<bool>& v) {
  if (v) b.SetBool(column, *v);
}
inline void PutDouble(ColumnBatch& b, int column, const std::optional<double>& v) {
  if (v) b.SetDouble(column, *v);
}
void PutLineage(ColumnBatch& b, int first_lineage_column, const BatchContext& ctx,
                std::int64_t line);

// Per-format parsers. `values` holds the fields named by the format's key
// list, in that order.
using Values = std::span<const FieldValue>;
std::span<const std::string_view> PlaylakeKeys();
// What a play needs beyond the contract's rules (mapped CSV relaxes these).
struct PlayRules {
  bool ms_played_required = true;  // false: a missing ms_played is NULL
  bool track_id_required = true;   // false: the caller checked track_id or track_name
};
std::optional<Rejection> ParsePlaylake(Values v, const BatchContext& ctx, std::int64_t line,
                                       Cleaner& c, TableBatches& out, PlayRules rules = {});
std::span<const std::string_view> EventsimKeys();
std::optional<Rejection> ParseEventsim(Values v, const BatchContext& ctx, std::int64_t line,
                                       Cleaner& c, TableBatches& out);
std::span<const std::string_view> SpotifyHistoryKeys();
Result<std::optional<Rejection>> ParseSpotifyHistory(Values v, const BatchContext& ctx,
                                                     std::int64_t line, Cleaner& c,
                                                     TableBatches& out);
std::span<const std::string_view> SpotifyLegacyKeys();
Result<std::optional<Rejection>> ParseSpotifyLegacy(Values v, const BatchContext& ctx,
                                                    std::int64_t line, Cleaner& c,
                                                    TableBatches& out);
std::span<const std::string_view> MsdSongKeys();
std::optional<Rejection> ParseMsdSong(Values v, const BatchContext& ctx, std::int64_t line,
                                      Cleaner& c, TableBatches& out);
// One CSV data line → the values of the play-event keys (PlaylakeKeys order),
// typed as a JSON record would be (csv.cc). Rejects invalid UTF-8, broken
// quoting and a field count other than the header's.
std::optional<Rejection> ReadCsvRow(std::string_view line, const CsvHeader& header,
                                    CsvSplitter& splitter, std::span<FieldValue> values);
// Values read by ReadCsvRow → rows, by the header's profile (eventsim rules,
// contract rules, or mapped: derived event_id, user from the context).
// Error{kInvalidArgument} when a mapped CSV has no user_id column and the
// context no user: the whole file must be refused.
Result<std::optional<Rejection>> ParseCsvRecord(std::span<FieldValue> values,
                                                const CsvHeader& header, const BatchContext& ctx,
                                                std::int64_t line, Cleaner& c, TableBatches& out);
// Catalog keys depend on the entity ("artists", "albums", "tracks", "users").
std::span<const std::string_view> CatalogKeys(std::string_view entity);
std::optional<Rejection> ParseCatalog(std::string_view entity, Values v, const BatchContext& ctx,
                                      std::int64_t line, Cleaner& c, TableBatches& out);

}  // namespace playlake::sources::internal
