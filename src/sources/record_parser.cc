#include "sources/record_parser.h"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include "common/hash.h"
#include "sources/parser_internal.h"
#include "sources/privacy.h"
#include "sources/text.h"

namespace playlake::sources {
namespace internal {

const char* KindName(FieldValue::Kind kind) {
  switch (kind) {
    case FieldValue::kAbsent: return "absent";
    case FieldValue::kNull: return "null";
    case FieldValue::kString: return "string";
    case FieldValue::kInt: return "integer";
    case FieldValue::kDouble: return "number";
    case FieldValue::kBool: return "boolean";
    case FieldValue::kCompound: return "object or array";
  }
  return "?";
}

std::string& Cleaner::Scratch() {
  if (used_ == scratch_.size()) scratch_.emplace_back();
  std::string& s = scratch_[used_++];
  s.clear();
  return s;
}

std::string_view Cleaner::Keep(std::string_view text) {
  std::string& s = Scratch();
  s.assign(text.data(), text.size());
  return s;
}

namespace {
// True when every byte is below 0x80 (8 bytes at a time: this runs on every
// text field of every record).
bool IsAscii(std::string_view text) {
  const char* p = text.data();
  std::size_t n = text.size();
  std::uint64_t high = 0;
  for (; n >= 8; p += 8, n -= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    high |= word;
  }
  for (; n > 0; ++p, --n) high |= static_cast<unsigned char>(*p);
  return (high & 0x8080808080808080ULL) == 0;
}
}  // namespace

std::string_view Cleaner::Text(std::string_view raw) {
  if (raw.data() == nullptr) return {};
  std::string_view text = Trim(raw);
  if (text.empty()) return {};
  if (IsAscii(text)) return text;  // pure ASCII never needs repair
  std::string& repaired = Scratch();
  if (RepairDoubleEncoding(text, repaired)) text = Trim(repaired);
  if (text.empty()) return {};
  return text;
}

void Observe(std::map<std::string, lake::Observed>& into, std::string_view key,
             std::string_view example) {
  auto it = into.find(std::string(key));  // drift is rare: one lookup per odd value is cheap
  if (it == into.end()) it = into.emplace(std::string(key), lake::Observed{}).first;
  lake::Observed& o = it->second;
  ++o.count;
  if (o.examples.size() >= lake::Observed::kMaxExamples) return;
  std::string cut(example.substr(0, 80));
  ReplaceInvalidUtf8(cut);  // cut inside a character
  if (std::find(o.examples.begin(), o.examples.end(), cut) == o.examples.end()) {
    o.examples.push_back(std::move(cut));
  }
}

Rejection Missing(std::string_view field, Table target) {
  return Rejection{reason::kMissingField, fmt::format("required field '{}' is missing or empty", field),
                   target};
}

Rejection Bad(std::string_view reason, Table target, std::string detail) {
  return Rejection{reason, std::move(detail), target};
}

namespace {
Rejection WrongType(std::string_view field, std::string_view expected, const FieldValue& v,
                    Table target) {
  return Rejection{reason::kWrongType,
                   fmt::format("field '{}': expected {}, got {}", field, expected, KindName(v.kind)),
                   target};
}
}  // namespace

std::optional<Rejection> AsText(const FieldValue& v, std::string_view field, Cleaner& cleaner,
                                std::string_view& out, Table target) {
  out = {};
  switch (v.kind) {
    case FieldValue::kAbsent:
    case FieldValue::kNull: return std::nullopt;
    case FieldValue::kString: out = cleaner.Text(v.s); return std::nullopt;
    case FieldValue::kInt: out = cleaner.Keep(std::to_string(v.i)); return std::nullopt;
    case FieldValue::kDouble: out = cleaner.Keep(fmt::format("{}", v.d)); return std::nullopt;
    default: return WrongType(field, "string", v, target);
  }
}

std::optional<Rejection> AsInt(const FieldValue& v, std::string_view field,
                               std::optional<std::int64_t>& out, Table target) {
  out.reset();
  switch (v.kind) {
    case FieldValue::kAbsent:
    case FieldValue::kNull: return std::nullopt;
    case FieldValue::kInt: out = v.i; return std::nullopt;
    case FieldValue::kDouble:
      if (std::isfinite(v.d) && std::floor(v.d) == v.d && std::fabs(v.d) < 9.2e18) {
        out = static_cast<std::int64_t>(v.d);
        return std::nullopt;
      }
      return Bad(reason::kWrongType, target,
                 fmt::format("field '{}': expected an integer, got {}", field, v.d));
    default: return WrongType(field, "integer", v, target);
  }
}

std::optional<Rejection> AsDouble(const FieldValue& v, std::string_view field,
                                  std::optional<double>& out, Table target) {
  out.reset();
  switch (v.kind) {
    case FieldValue::kAbsent:
    case FieldValue::kNull: return std::nullopt;
    case FieldValue::kInt: out = static_cast<double>(v.i); return std::nullopt;
    case FieldValue::kDouble: out = v.d; return std::nullopt;
    default: return WrongType(field, "number", v, target);
  }
}

std::optional<Rejection> AsBool(const FieldValue& v, std::string_view field,
                                std::optional<bool>& out, Table target) {
  out.reset();
  switch (v.kind) {
    case FieldValue::kAbsent:
    case FieldValue::kNull: return std::nullopt;
    case FieldValue::kBool: out = v.b; return std::nullopt;
    default: return WrongType(field, "boolean", v, target);
  }
}

std::string_view SpotifyId(std::string_view uri) {
  if (!uri.starts_with("spotify:")) return uri;
  const std::size_t colon = uri.rfind(':');
  return uri.substr(colon + 1);
}

std::string_view ContentId(std::span<const std::string_view> parts, Cleaner& cleaner) {
  std::string& joined = cleaner.Scratch();
  for (std::string_view p : parts) {
    joined.append(p.data() == nullptr ? std::string_view("\x01") : p);  // NULL ≠ ""
    joined.push_back('\x1f');
  }
  char hex[32];
  Hash128HexTo(joined, hex);
  std::string& id = cleaner.Scratch();
  id.assign(hex, sizeof hex);
  return id;
}

void PutLineage(ColumnBatch& b, int first, const BatchContext& ctx, std::int64_t line) {
  // The same for every row: referenced, not copied (the context outlives the rows).
  b.SetTextRef(first, FormatName(ctx.format));
  b.SetTextRef(first + 1, ctx.source_file);
  b.SetInt(first + 2, line);
  b.SetTextRef(first + 3, ctx.batch_id);
}

}  // namespace internal

using internal::FieldValue;

TableBatches::TableBatches()
    : batches{ColumnBatch(SpecOf(Table::kPlays)),    ColumnBatch(SpecOf(Table::kPageViews)),
              ColumnBatch(SpecOf(Table::kUsers)),    ColumnBatch(SpecOf(Table::kTracks)),
              ColumnBatch(SpecOf(Table::kArtists)),  ColumnBatch(SpecOf(Table::kAlbums)),
              ColumnBatch(SpecOf(Table::kEpisodes)), ColumnBatch(SpecOf(Table::kQuarantine))} {}

struct RecordParser::Impl {
  const BatchContext& ctx;
  std::string_view catalog_entity;
  std::span<const std::string_view> keys;
  simdjson::ondemand::parser parser;
  std::vector<FieldValue> values;
  internal::Cleaner cleaner;
  std::size_t hint = 0;
  const CsvHeader* csv_header = nullptr;  // Format::kCsv
  CsvSplitter csv_splitter;

  explicit Impl(const BatchContext& c) : ctx(c), catalog_entity(CatalogEntity(c.file_name)) {
    switch (ctx.format) {
      case Format::kPlaylake:
      case Format::kCsv: keys = internal::PlaylakeKeys(); break;
      case Format::kEventsim: keys = internal::EventsimKeys(); break;
      case Format::kSpotifyHistory: keys = internal::SpotifyHistoryKeys(); break;
      case Format::kSpotifyLegacy: keys = internal::SpotifyLegacyKeys(); break;
      case Format::kMsdSong: keys = internal::MsdSongKeys(); break;
      case Format::kPlaylakeCatalog: keys = internal::CatalogKeys(catalog_entity); break;
    }
    values.resize(keys.size());
  }

  // Short keys compare inline (a libc memcmp call per field adds up).
  static bool SameKey(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    std::size_t i = 0;
    for (; i + 8 <= a.size(); i += 8) {
      std::uint64_t x, y;
      std::memcpy(&x, a.data() + i, 8);
      std::memcpy(&y, b.data() + i, 8);
      if (x != y) return false;
    }
    for (; i < a.size(); ++i) {
      if (a[i] != b[i]) return false;
    }
    return true;
  }

  int FindKey(std::string_view key) {
    // Records of one file usually list fields in the same order: start the
    // search where the last match ended, so the usual cost is one compare.
    const std::size_t n = keys.size();
    for (std::size_t k = 0; k < n; ++k) {
      std::size_t i = hint + k;
      if (i >= n) i -= n;
      if (SameKey(keys[i], key)) {
        hint = i + 1 == n ? 0 : i + 1;
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  Table Target() const {
    switch (ctx.format) {
      case Format::kMsdSong: return Table::kTracks;
      case Format::kPlaylakeCatalog:
        if (catalog_entity == "artists") return Table::kArtists;
        if (catalog_entity == "albums") return Table::kAlbums;
        if (catalog_entity == "users") return Table::kUsers;
        return Table::kTracks;
      default: return Table::kPlays;
    }
  }

  Result<std::optional<Rejection>> Parse(std::string_view record, std::size_t capacity,
                                         std::int64_t line, TableBatches& out);

  // Counts a field outside the format's key list, with its value as example
  // (scalars only; a value of a field that may name a person is not kept).
  void NoteUnknownField(std::string_view key, simdjson::ondemand::value& value) {
    auto& fields = cleaner.drift().unknown_fields;
    const auto known = fields.find(std::string(key));
    if (known != fields.end() && known->second.examples.size() >= lake::Observed::kMaxExamples) {
      ++known->second.count;
      return;
    }
    std::string_view example = "(object or array)";
    simdjson::ondemand::json_type type;
    if (!value.type().get(type) && type != simdjson::ondemand::json_type::object &&
        type != simdjson::ondemand::json_type::array) {
      example = value.raw_json_token();
    }
    if (IsPersonalField(key)) example = "(not shown: personal data)";
    internal::Observe(fields, key, Trim(example));
  }

  std::optional<Rejection> ReadFields(std::string_view record, std::size_t capacity) {
    using namespace simdjson;
    for (auto& v : values) v = FieldValue{};
    const Table target = Target();
    auto json_error = [&](error_code e) {
      const std::string_view r = e == UTF8_ERROR ? reason::kInvalidUtf8 : reason::kInvalidJson;
      return Rejection{r, fmt::format("JSON parser: {}", error_message(e)), target};
    };
    ondemand::document doc;
    if (auto e = parser.iterate(record.data(), record.size(), capacity).get(doc)) return json_error(e);
    ondemand::object object;
    if (auto e = doc.get_object().get(object)) {
      // Valid JSON of another type (an array, a string) is not_an_object;
      // anything else (binary, text) is simply not JSON.
      const std::size_t first = record.find_first_not_of(" \t\r\n");
      const bool json_value = first != std::string_view::npos &&
                              std::string_view("[\"-0123456789tfn").find(record[first]) !=
                                  std::string_view::npos;
      if (e == INCORRECT_TYPE && json_value) {
        return Rejection{reason::kNotAnObject, "the record is not a JSON object", target};
      }
      if (e == INCORRECT_TYPE) {
        return Rejection{reason::kInvalidJson, "the record is not JSON", target};
      }
      return json_error(e);
    }
    for (auto field_result : object) {
      ondemand::field field;
      if (auto e = std::move(field_result).get(field)) return json_error(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key)) return json_error(e);
      const int index = FindKey(key);
      ondemand::value value = field.value();
      if (index < 0) {  // unknown fields stay in bronze only; silver counts them
        NoteUnknownField(key, value);
        continue;
      }
      FieldValue& out = values[index];
      ondemand::json_type type;
      if (auto e = value.type().get(type)) return json_error(e);
      switch (type) {
        case ondemand::json_type::string:
          out.kind = FieldValue::kString;
          if (auto e = value.get_string().get(out.s)) return json_error(e);
          break;
        case ondemand::json_type::number: {
          ondemand::number_type nt;
          if (auto e = value.get_number_type().get(nt)) return json_error(e);
          if (nt == ondemand::number_type::signed_integer) {
            out.kind = FieldValue::kInt;
            if (auto e = value.get_int64().get(out.i)) return json_error(e);
          } else {
            out.kind = FieldValue::kDouble;
            if (auto e = value.get_double().get(out.d)) return json_error(e);
          }
          break;
        }
        case ondemand::json_type::boolean:
          out.kind = FieldValue::kBool;
          if (auto e = value.get_bool().get(out.b)) return json_error(e);
          break;
        case ondemand::json_type::null:
          out.kind = FieldValue::kNull;
          break;
        default:
          out.kind = FieldValue::kCompound;
          break;
      }
    }
    // current_location() fails with OUT_OF_BOUNDS once the whole record is consumed.
    if (!doc.current_location().error()) {
      return Rejection{reason::kInvalidJson, "unexpected bytes after the JSON object", target};
    }
    return std::nullopt;
  }
};

RecordParser::RecordParser(const BatchContext& context) : impl_(std::make_unique<Impl>(context)) {}
RecordParser::~RecordParser() = default;

Table RecordParser::DefaultTarget() const { return impl_->Target(); }

const lake::Drift& RecordParser::drift() const { return impl_->cleaner.drift(); }

void RecordParser::SetCsvHeader(const CsvHeader* header) {
  impl_->csv_header = header;
  impl_->keys = header->keys();
  impl_->values.resize(impl_->keys.size());
}

Result<std::optional<Rejection>> RecordParser::Parse(std::string_view record, std::size_t capacity,
                                                     std::int64_t line, TableBatches& out) {
  auto result = impl_->Parse(record, capacity, line, out);
  // Details quote values cut at a byte count, possibly inside a character.
  if (result && *result) ReplaceInvalidUtf8((*result)->detail);
  return result;
}

Result<std::optional<Rejection>> RecordParser::Impl::Parse(std::string_view record,
                                                           std::size_t capacity, std::int64_t line,
                                                           TableBatches& out) {
  Impl& p = *this;
  p.cleaner.Reset();
  if (p.ctx.format == Format::kCsv) {
    if (p.csv_header == nullptr) {
      return Fail(ErrorCode::kInternal, "a CSV line parsed before its header");
    }
    for (auto& v : p.values) v = FieldValue{};
    if (auto rejected = internal::ReadCsvRow(record, *p.csv_header, p.csv_splitter, p.values)) {
      return rejected;
    }
  } else if (auto rejected = p.ReadFields(record, capacity)) {
    return rejected;
  }
  if (p.ctx.format == Format::kCsv) {
    return internal::ParseCsvRecord(p.values, *p.csv_header, p.ctx, line, p.cleaner, out);
  }
  const internal::Values v(p.values);
  switch (p.ctx.format) {
    case Format::kPlaylake:
    case Format::kCsv: return internal::ParsePlaylake(v, p.ctx, line, p.cleaner, out);
    case Format::kEventsim: return internal::ParseEventsim(v, p.ctx, line, p.cleaner, out);
    case Format::kSpotifyHistory:
      return internal::ParseSpotifyHistory(v, p.ctx, line, p.cleaner, out);
    case Format::kSpotifyLegacy:
      return internal::ParseSpotifyLegacy(v, p.ctx, line, p.cleaner, out);
    case Format::kMsdSong: return internal::ParseMsdSong(v, p.ctx, line, p.cleaner, out);
    case Format::kPlaylakeCatalog:
      if (p.catalog_entity.empty()) {
        return std::optional<Rejection>(Rejection{
            reason::kUnknownCatalogFile,
            fmt::format("'{}' is not a catalog file name (artists, albums, tracks or users.jsonl)",
                        p.ctx.file_name),
            Table::kTracks});
      }
      return internal::ParseCatalog(p.catalog_entity, v, p.ctx, line, p.cleaner, out);
  }
  return Fail(ErrorCode::kInternal, "unhandled format");
}

}  // namespace playlake::sources
