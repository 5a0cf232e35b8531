#include "sources/csv.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

#include "sources/parser_internal.h"
#include "sources/text.h"

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
  // for the rules, 1000.5 is not); `ts` takes no such number (RFC 3339 text).
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

Result<CsvHeader> CsvHeader::Parse(std::string_view line) {
  if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // UTF-8 byte order mark
  if (!IsValidUtf8(line)) {
    return Fail(ErrorCode::kData, "the CSV header (line 1) is not valid UTF-8");
  }
  CsvSplitter splitter;
  if (auto broken = splitter.Split(line)) {
    return Fail(ErrorCode::kData, fmt::format("the CSV header (line 1): {}", broken->detail));
  }
  const std::span<const std::string_view> keys = internal::PlaylakeKeys();
  CsvHeader header;
  std::vector<std::size_t> column_of(keys.size(), 0);  // 1-based; 0: no column
  for (std::string_view name : splitter.fields()) {
    name = Trim(name);
    const auto it = std::find(keys.begin(), keys.end(), name);
    const int key = it == keys.end() ? -1 : static_cast<int>(it - keys.begin());
    header.keys_.push_back(key);
    header.types_.push_back(key < 0 ? CsvType::kIgnored : TypeOf(name));
    if (key < 0) continue;
    if (column_of[key] != 0) {
      return Fail(ErrorCode::kData,
                  fmt::format("the CSV header (line 1) names '{}' twice (columns {} and {})", name,
                              column_of[key], header.keys_.size()));
    }
    column_of[key] = header.keys_.size();
  }
  std::string missing;
  for (std::string_view name : kRequired) {
    const auto it = std::find(keys.begin(), keys.end(), name);
    if (column_of[it - keys.begin()] == 0)
      missing += fmt::format("{}'{}'", missing.empty() ? "" : ", ", name);
  }
  if (!missing.empty()) {
    std::string found;
    for (std::string_view name : splitter.fields()) {
      if (found.size() > 200) {
        found += ", ...";
        break;
      }
      found += fmt::format("{}'{}'", found.empty() ? "" : ", ", Head(Trim(name), 64));
    }
    return Fail(ErrorCode::kData,
                fmt::format("the CSV header (line 1) has no column {} (required: event_id, ts, "
                            "user_id, track_id, ms_played); its columns: {}",
                            missing, found.empty() ? "none" : found));
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
    if (key >= 0) ToValue(fields[column], header.type(column), values[key]);
  }
  return std::nullopt;
}

}  // namespace internal
}  // namespace playlake::sources
