#include "sources/csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <utility>

#include "sources/parser_internal.h"
#include "sources/text.h"
#include "sources/timestamp.h"

namespace playlake::sources {
namespace {

using internal::FieldValue;

// Contract fields whose values are not strings; every other field is text.
constexpr std::array<std::pair<std::string_view, CsvType>, 6> kTypedFields{{
    {"ts", CsvType::kTime},
    {"ms_played", CsvType::kInteger},
    {"duration_ms", CsvType::kInteger},
    {"shuffle", CsvType::kBool},
    {"skipped", CsvType::kBool},
    {"offline", CsvType::kBool},
}};

// The fields a play cannot do without (docs/event-contract.md).
constexpr std::array<std::string_view, 5> kRequired = {"event_id", "ts", "user_id", "track_id",
                                                       "ms_played"};

CsvType TypeOf(std::string_view field) {
  for (const auto& [name, type] : kTypedFields) {
    if (name == field) return type;
  }
  return CsvType::kText;
}

// Spaces and tabs around a value are not part of a number or a boolean.
std::string_view TrimBlanks(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// At most `n` bytes of valid UTF-8 `text`, never cutting a character.
std::string_view Head(std::string_view text, std::size_t n) {
  if (text.size() <= n) return text;
  while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  return text.substr(0, n);
}

bool IsInteger(std::string_view text) {
  if (text.starts_with('-')) text.remove_prefix(1);
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool EqualsIgnoringCase(std::string_view text, std::string_view lower) {
  return text.size() == lower.size() &&
         std::equal(text.begin(), text.end(), lower.begin(), [](char a, char b) {
           return (a >= 'A' && a <= 'Z' ? static_cast<char>(a - 'A' + 'a') : a) == b;
         });
}

// The value a JSON record would carry for this text. Text that does not
// convert stays a string, so the play-event rules reject it as wrong_type
// exactly as they reject `"ms_played": "a lot"` in NDJSON.
void ToValue(std::string_view text, CsvType type, FieldValue& out) {
  if (type == CsvType::kText) {
    out.kind = text.empty() ? FieldValue::kNull : FieldValue::kString;
    out.s = text;
    return;
  }
  const std::string_view t = TrimBlanks(text);
  out.kind = FieldValue::kString;
  out.s = text;
  if (t.empty()) {
    out.kind = FieldValue::kNull;
    return;
  }
  const char* end = t.data() + t.size();
  if (type == CsvType::kBool) {
    if (EqualsIgnoringCase(t, "true") || EqualsIgnoringCase(t, "false")) {
      out.kind = FieldValue::kBool;
      out.b = t.size() == 4;
    }
    return;
  }
  if (IsInteger(t)) {
    std::int64_t i = 0;
    if (std::from_chars(t.data(), end, i).ptr == end) {
      out.kind = FieldValue::kInt;
      out.i = i;
    }
    return;  // out of the int64 range: a string, rejected by the rules
  }
  // Like JSON, a number with a fraction or an exponent (1000.0 is an integer
  // for the rules, 1000.5 is not).
  const bool numeric = (t.front() == '-' || (t.front() >= '0' && t.front() <= '9')) &&
                       t.find_first_not_of("0123456789.eE+-") == std::string_view::npos;
  if (type == CsvType::kInteger && numeric) {
    double d = 0;
    if (std::from_chars(t.data(), end, d).ptr == end) {
      out.kind = FieldValue::kDouble;
      out.d = d;
    }
  }
}

constexpr std::array<std::pair<CsvTimeFormat, std::string_view>, 5> kTimeFormats{{
    {CsvTimeFormat::kAuto, "auto"},
    {CsvTimeFormat::kEpochSeconds, "epoch_s"},
    {CsvTimeFormat::kEpochMillis, "epoch_ms"},
    {CsvTimeFormat::kRfc3339, "rfc3339"},
    {CsvTimeFormat::kDayMonthYear, "dd Mon yyyy, HH:MM"},
}};

// A `ts` text → epoch milliseconds (FieldValue::kInt), or the string itself
// for the play rules to read as RFC 3339. Rejects what the format cannot read.
std::optional<Rejection> TimeValue(std::string_view text, CsvTimeFormat format,
                                   std::string_view field, FieldValue& out) {
  const std::string_view t = TrimBlanks(text);
  out.kind = FieldValue::kString;
  out.s = text;
  if (t.empty()) {
    out.kind = FieldValue::kNull;
    return std::nullopt;
  }
  const auto invalid = [&](std::string_view expected) {
    return Rejection{reason::kInvalidTimestamp,
                     fmt::format("field '{}': '{}' is not {}", field, Head(t, 64), expected)};
  };
  if (format == CsvTimeFormat::kRfc3339) return std::nullopt;
  if (format == CsvTimeFormat::kDayMonthYear || format == CsvTimeFormat::kAuto) {
    if (const auto micros = ParseDayMonthYearMinute(t)) {
      out.kind = FieldValue::kInt;
      out.i = *micros / 1000;
      return std::nullopt;
    }
    if (format == CsvTimeFormat::kDayMonthYear) return invalid("'dd Mon yyyy, HH:MM'");
  }
  const std::int64_t unit_ms = format == CsvTimeFormat::kEpochSeconds ? 1000 : 1;
  const auto out_of_range = [&] {
    return Rejection{reason::kOutOfRange,
                     fmt::format("field '{}': '{}' is outside 1990..2100", field, Head(t, 64))};
  };
  std::int64_t value = 0;
  if (IsInteger(t)) {
    // Plain integers keep the contract's reading (and its range check).
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    if (ec != std::errc() || end != t.data() + t.size()) return out_of_range();
  } else if (const auto n = ParseEpochNumber(t)) {
    double step_ms = static_cast<double>(unit_ms);
    for (int p = 0; p < n->place; ++p) step_ms *= 10;
    if (step_ms > 1000) {
      return Rejection{
          reason::kImpreciseTimestamp,
          fmt::format("field '{}': '{}' is known only to the nearest {:.0f} s (a spreadsheet wrote "
                      "it in scientific notation and dropped digits); format the column as a whole "
                      "number and export it again",
                      field, Head(t, 64), step_ms / 1000)};
    }
    value = n->value;
  } else {
    if (format == CsvTimeFormat::kAuto) return std::nullopt;  // RFC 3339 or invalid_timestamp
    return invalid(format == CsvTimeFormat::kEpochSeconds ? "epoch seconds" : "epoch milliseconds");
  }
  if (value > std::numeric_limits<std::int64_t>::max() / unit_ms ||
      value < std::numeric_limits<std::int64_t>::min() / unit_ms) {
    return out_of_range();
  }
  out.kind = FieldValue::kInt;
  out.i = value * unit_ms;
  return std::nullopt;
}

bool Has(const std::vector<std::string_view>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// "'a', 'b', ..." for error messages (long headers cut).
std::string ColumnList(const std::vector<std::string_view>& names) {
  std::string found;
  for (std::string_view name : names) {
    if (found.size() > 200) {
      found += ", ...";
      break;
    }
    found += fmt::format("{}'{}'", found.empty() ? "" : ", ", Head(name, 64));
  }
  return found.empty() ? "none" : found;
}

// Last.fm scrobble exports (uts, utc_time, artist, artist_mbid, album,
// album_mbid, track, track_mbid): utc_time repeats uts.
const std::vector<std::pair<std::string, std::string>>& LastfmColumns() {
  static const std::vector<std::pair<std::string, std::string>> kColumns = {
      {"ts", "uts"},
      {"artist_name", "artist"},
      {"artist_id", "artist_mbid"},
      {"album_name", "album"},
      {"album_id", "album_mbid"},
      {"track_name", "track"},
      {"track_id", "track_mbid"}};
  return kColumns;
}

}  // namespace

std::optional<Rejection> CsvSplitter::Split(std::string_view line) {
  if (line.ends_with('\n')) line.remove_suffix(1);
  if (line.ends_with('\r')) line.remove_suffix(1);
  fields_.clear();
  unescaped_.clear();
  // Unescaped text is never longer than the line: views into it stay valid.
  if (unescaped_.capacity() < line.size()) unescaped_.reserve(line.size());
  std::size_t pos = 0;
  while (true) {
    const std::size_t column = fields_.size() + 1;
    if (pos < line.size() && line[pos] == '"') {
      const std::size_t open = pos++;
      const auto unterminated = [&] {
        return Rejection{
            reason::kUnterminatedQuote,
            fmt::format("column {}: the quoted field opened at byte {} does not end on "
                        "this line (a missing closing quote, or a line break inside "
                        "quotes, which CSV input does not support)",
                        column, open + 1)};
      };
      std::size_t close = line.find('"', pos);
      if (close == std::string_view::npos) {
        return unterminated();
      }
      if (close + 1 < line.size() && line[close + 1] == '"') {
        // "" escapes: copy the field, one quote for each pair.
        const std::size_t start = unescaped_.size();
        while (close + 1 < line.size() && line[close + 1] == '"') {
          unescaped_.append(line.substr(pos, close + 1 - pos));
          pos = close + 2;
          close = line.find('"', pos);
          if (close == std::string_view::npos) {
            return unterminated();
          }
        }
        unescaped_.append(line.substr(pos, close - pos));
        fields_.emplace_back(unescaped_.data() + start, unescaped_.size() - start);
      } else {
        fields_.push_back(line.substr(pos, close - pos));
      }
      pos = close + 1;
      if (pos == line.size()) return std::nullopt;
      if (line[pos] != ',') {
        return Rejection{reason::kInvalidCsv,
                         fmt::format("column {}: text after the closing quote (byte {}); a quote "
                                     "inside a quoted field is written \"\"",
                                     column, pos + 1)};
      }
      ++pos;
      continue;
    }
    const std::size_t comma = line.find(',', pos);
    const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    const std::string_view field = line.substr(pos, end - pos);
    if (const std::size_t quote = field.find('"'); quote != std::string_view::npos) {
      return Rejection{reason::kInvalidCsv,
                       fmt::format("column {}: a double quote inside an unquoted field (byte {}); "
                                   "enclose the field in quotes and write the quote as \"\"",
                                   column, pos + quote + 1)};
    }
    fields_.push_back(field);
    if (comma == std::string_view::npos) return std::nullopt;
    pos = comma + 1;
  }
}

std::optional<CsvTimeFormat> ParseCsvTimeFormat(std::string_view name) {
  for (const auto& [format, n] : kTimeFormats) {
    if (n == name) return format;
  }
  return std::nullopt;
}

Status CsvMapping::Validate() const {
  const std::span<const std::string_view> keys = internal::PlaylakeKeys();
  std::vector<std::string_view> seen;
  for (const auto& [field, column] : columns) {
    if (std::find(keys.begin(), keys.end(), field) == keys.end()) {
      std::string known;
      for (std::string_view k : keys) known += fmt::format("{}{}", known.empty() ? "" : ", ", k);
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("columns.{}: not a play-event field (fields: {})", field, known));
    }
    if (std::find(seen.begin(), seen.end(), field) != seen.end()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("columns.{}: mapped twice; map each field to one column", field));
    }
    if (Trim(column).empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("columns.{}: the column name is empty", field));
    }
    seen.push_back(field);
  }
  if (!timestamp_format.empty() && !ParseCsvTimeFormat(timestamp_format)) {
    return Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("timestamp_format: unknown format '{}' (known: auto, epoch_s, epoch_ms, "
                    "rfc3339, dd Mon yyyy, HH:MM)",
                    timestamp_format));
  }
  return {};
}

std::string CsvMapping::Signature() const {
  std::vector<std::pair<std::string, std::string>> sorted = columns;
  std::sort(sorted.begin(), sorted.end());
  std::string out = "ts_format=" + timestamp_format;
  for (const auto& [field, column] : sorted) out += fmt::format("\x1f{}={}", field, column);
  return out;
}

std::span<const std::string_view> CsvHeader::keys() const {
  return profile_ == CsvProfile::kEventsim ? internal::EventsimKeys() : internal::PlaylakeKeys();
}

bool CsvHeader::has(int field) const {
  return std::find(keys_.begin(), keys_.end(), field) != keys_.end();
}

Status CsvHeader::Add(int key, CsvType type, std::string_view field) {
  if (key >= 0) {
    const auto it = std::find(keys_.begin(), keys_.end(), key);
    if (it != keys_.end()) {
      return Fail(ErrorCode::kData,
                  fmt::format("the CSV header (line 1) names '{}' twice (columns {} and {})", field,
                              it - keys_.begin() + 1, keys_.size() + 1));
    }
  }
  keys_.push_back(key);
  types_.push_back(key < 0 ? CsvType::kIgnored : type);
  return {};
}

Result<CsvHeader> CsvHeader::Contract(const Names& names) {
  const std::span<const std::string_view> keys = internal::PlaylakeKeys();
  CsvHeader header;
  for (std::string_view name : names) {
    const auto it = std::find(keys.begin(), keys.end(), name);
    const int key = it == keys.end() ? -1 : static_cast<int>(it - keys.begin());
    if (auto s = header.Add(key, TypeOf(name), name); !s) return tl::unexpected(s.error());
  }
  std::string missing;
  for (std::string_view name : kRequired) {
    const auto it = std::find(keys.begin(), keys.end(), name);
    if (!header.has(static_cast<int>(it - keys.begin())))
      missing += fmt::format("{}'{}'", missing.empty() ? "" : ", ", name);
  }
  if (!missing.empty()) {
    return Fail(ErrorCode::kData,
                fmt::format("the CSV header (line 1) has no column {} (required: event_id, ts, "
                            "user_id, track_id, ms_played; or map the file's own columns with "
                            "--csv-map FIELD=COLUMN or `csv: columns:` on the source); its "
                            "columns: {}",
                            missing, ColumnList(names)));
  }
  return header;
}

Result<CsvHeader> CsvHeader::Eventsim(const Names& names) {
  const std::span<const std::string_view> keys = internal::EventsimKeys();
  CsvHeader header;
  header.profile_ = CsvProfile::kEventsim;
  header.kind_ = "eventsim";
  for (std::string_view name : names) {
    const auto it = std::find(keys.begin(), keys.end(), name);
    const int key = it == keys.end() ? -1 : static_cast<int>(it - keys.begin());
    CsvType type = CsvType::kText;
    if (name == "ts") {
      type = CsvType::kTime;
    } else if (name == "itemInSession" || name == "length" || name == "registration" ||
               name == "status") {
      type = CsvType::kInteger;
    }
    if (auto s = header.Add(key, type, name); !s) return tl::unexpected(s.error());
  }
  return header;
}

Result<CsvHeader> CsvHeader::Mapped(const Names& names,
                                    const std::vector<std::pair<std::string, std::string>>& columns,
                                    std::string_view kind) {
  const std::span<const std::string_view> keys = internal::PlaylakeKeys();
  const auto index = [&](std::string_view field) {
    const auto it = std::find(keys.begin(), keys.end(), field);
    return it == keys.end() ? -1 : static_cast<int>(it - keys.begin());
  };
  CsvHeader header;
  header.profile_ = CsvProfile::kMapped;
  header.kind_ = kind;
  for (std::string_view name : names) {
    std::string_view field;
    for (const auto& [f, column] : columns) {
      if (Trim(column) == name) field = f;
    }
    // A column named after a field the mapping does not place holds that field.
    if (field.empty() && index(name) >= 0 &&
        std::none_of(columns.begin(), columns.end(),
                     [&](const auto& c) { return c.first == name; })) {
      field = name;
    }
    const int key = field.empty() ? -1 : index(field);
    if (auto s = header.Add(key, TypeOf(field), field); !s) return tl::unexpected(s.error());
  }
  for (const auto& [field, column] : columns) {
    if (!Has(names, Trim(column)) && kind != "lastfm") {
      return Fail(ErrorCode::kData,
                  fmt::format("the CSV header (line 1) has no column '{}' (mapped to {}); its "
                              "columns: {}",
                              column, field, ColumnList(names)));
    }
  }
  if (!header.has(index("ts"))) {
    return Fail(
        ErrorCode::kData,
        fmt::format("the CSV header (line 1) has no column for 'ts' (map one with --csv-map "
                    "ts=COLUMN or `csv: columns: ts:`); its columns: {}",
                    ColumnList(names)));
  }
  if (!header.has(index("track_id")) && !header.has(index("track_name"))) {
    return Fail(ErrorCode::kData,
                fmt::format("the CSV header (line 1) has no column for 'track_id' or 'track_name' "
                            "(map one with --csv-map); its columns: {}",
                            ColumnList(names)));
  }
  return header;
}

Result<CsvHeader> CsvHeader::Parse(std::string_view line, const CsvMapping& mapping) {
  if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // UTF-8 byte order mark
  if (!IsValidUtf8(line)) {
    return Fail(ErrorCode::kData, "the CSV header (line 1) is not valid UTF-8");
  }
  CsvSplitter splitter;
  if (auto broken = splitter.Split(line)) {
    return Fail(ErrorCode::kData, fmt::format("the CSV header (line 1): {}", broken->detail));
  }
  std::vector<std::string_view> names;
  for (std::string_view name : splitter.fields()) names.push_back(Trim(name));
  Result<CsvHeader> header = [&]() -> Result<CsvHeader> {
    if (!mapping.columns.empty()) return Mapped(names, mapping.columns, "mapping");
    if (Has(names, "sessionId") && Has(names, "page") && Has(names, "ts")) return Eventsim(names);
    if (Has(names, "uts") && Has(names, "artist") && Has(names, "track")) {
      auto lastfm = Mapped(names, LastfmColumns(), "lastfm");
      if (lastfm) lastfm->time_format_ = CsvTimeFormat::kEpochSeconds;
      return lastfm;
    }
    auto contract = Contract(names);
    if (!contract && names.size() == 4 && ParseDayMonthYearMinute(names[3])) {
      // Last.fm's header-less artist,album,track,date: line 1 is a play.
      CsvHeader h;
      const std::span<const std::string_view> keys = internal::PlaylakeKeys();
      for (std::string_view field : {"artist_name", "album_name", "track_name", "ts"}) {
        h.keys_.push_back(
            static_cast<int>(std::find(keys.begin(), keys.end(), field) - keys.begin()));
        h.types_.push_back(TypeOf(field));
      }
      h.profile_ = CsvProfile::kMapped;
      h.kind_ = "lastfm-headerless";
      h.time_format_ = CsvTimeFormat::kDayMonthYear;
      h.line1_is_data_ = true;
      return h;
    }
    return contract;
  }();
  if (header && !mapping.timestamp_format.empty()) {
    header->time_format_ = *ParseCsvTimeFormat(mapping.timestamp_format);
  }
  return header;
}

namespace internal {

std::optional<Rejection> ReadCsvRow(std::string_view line, const CsvHeader& header,
                                    CsvSplitter& splitter, std::span<FieldValue> values) {
  if (!IsValidUtf8(line)) {
    return Rejection{reason::kInvalidUtf8, "the CSV row is not valid UTF-8"};
  }
  if (auto broken = splitter.Split(line)) return broken;
  const auto fields = splitter.fields();
  if (fields.size() != header.columns()) {
    return Rejection{reason::kWrongFieldCount,
                     fmt::format("the row has {} fields, the header has {} columns", fields.size(),
                                 header.columns())};
  }
  for (std::size_t column = 0; column < fields.size(); ++column) {
    const int key = header.key(column);
    if (key < 0) continue;
    if (header.type(column) == CsvType::kTime) {
      if (auto bad =
              TimeValue(fields[column], header.time_format(), header.keys()[key], values[key])) {
        return bad;
      }
    } else {
      ToValue(fields[column], header.type(column), values[key]);
    }
  }
  return std::nullopt;
}

Result<std::optional<Rejection>> ParseCsvRecord(std::span<FieldValue> v, const CsvHeader& header,
                                                const BatchContext& ctx, std::int64_t line,
                                                Cleaner& c, TableBatches& out) {
  switch (header.profile()) {
    case CsvProfile::kEventsim:
      return ParseEventsim(v, ctx, line, c, out);
    case CsvProfile::kContract:
      return ParsePlaylake(v, ctx, line, c, out);
    case CsvProfile::kMapped:
      break;
  }
  const std::span<const std::string_view> keys = PlaylakeKeys();
  const auto index = [&](std::string_view field) {
    return static_cast<int>(std::find(keys.begin(), keys.end(), field) - keys.begin());
  };
  const int event_id = index("event_id"), user_id = index("user_id");
  if (!header.has(user_id)) {
    if (ctx.user.empty()) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: this CSV ({}) has no user_id column, so it does not say whose "
                              "listening it is: pass --user NAME, set `user:` on the source in "
                              "playlake.yml, or map a column to user_id",
                              ctx.source_file, header.kind()));
    }
    v[user_id] = FieldValue{FieldValue::kString, ctx.user};
  }
  const auto blank = [](const FieldValue& f) {
    return f.kind == FieldValue::kAbsent || f.kind == FieldValue::kNull ||
           (f.kind == FieldValue::kString && Trim(f.s).empty());
  };
  if (blank(v[index("track_id")]) && blank(v[index("track_name")])) {
    return std::optional<Rejection>(Rejection{
        reason::kMissingField, "required field 'track_id' or 'track_name' is missing or empty"});
  }
  if (!header.has(event_id)) {
    // Identical rows are one play, as in Spotify's exports: an overlapping
    // second export of the same scrobbles must not count them twice.
    std::array<std::string_view, 32> parts{};
    std::size_t n = 0;
    parts[n++] = "csv-play";
    for (std::size_t k = 0; k < keys.size() && n < parts.size(); ++k) {
      if (static_cast<int>(k) == event_id) continue;
      parts[n++] = blank(v[k]) ? std::string_view() : Trim(v[k].s);
    }
    v[event_id] = FieldValue{FieldValue::kString, ContentId(std::span(parts.data(), n), c)};
  }
  return ParsePlaylake(v, ctx, line, c, out,
                       PlayRules{.ms_played_required = false, .track_id_required = false});
}

}  // namespace internal
}  // namespace playlake::sources
