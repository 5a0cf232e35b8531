#include "sources/format.h"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace playlake::sources {
namespace {

constexpr std::array<std::pair<Format, std::string_view>, 7> kNames{{
    {Format::kPlaylake, "playlake"},
    {Format::kEventsim, "eventsim"},
    {Format::kMsdSong, "msd-song"},
    {Format::kSpotifyHistory, "spotify-history"},
    {Format::kSpotifyLegacy, "spotify-legacy"},
    {Format::kCsv, "csv"},
    {Format::kPlaylakeCatalog, "playlake-catalog"},
}};

bool Has(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// Looks for a JSON key, tolerating Jackson's `"key" :` spacing.
bool HasKey(std::string_view text, std::string_view key) {
  return Has(text, fmt::format("\"{}\"", key));
}

}  // namespace

std::string_view FormatName(Format format) {
  for (const auto& [f, name] : kNames) {
    if (f == format) return name;
  }
  return "unknown";
}

std::optional<Format> ParseFormat(std::string_view name) {
  for (const auto& [f, n] : kNames) {
    if (n == name) return f;
  }
  return std::nullopt;
}

Framing FramingOf(Format format) {
  switch (format) {
    case Format::kSpotifyHistory:
    case Format::kSpotifyLegacy: return Framing::kJsonArray;
    case Format::kMsdSong: return Framing::kJsonValues;
    default: return Framing::kLines;
  }
}

std::string_view CatalogEntity(std::string_view name) {
  for (std::string_view entity : {"artists", "albums", "tracks", "users"}) {
    if (name == fmt::format("{}.jsonl", entity) || name == fmt::format("{}.json", entity)) {
      return entity;
    }
  }
  return {};
}

std::string EntityOf(Format format, std::string_view file_name) {
  switch (format) {
    case Format::kPlaylake: return "plays";
    case Format::kEventsim: return "events";
    case Format::kMsdSong: return "songs";
    case Format::kSpotifyHistory: return "streaming_history";
    case Format::kSpotifyLegacy: return "streaming_history_legacy";
    case Format::kCsv: return "plays_csv";
    case Format::kPlaylakeCatalog: {
      const std::string_view entity = CatalogEntity(file_name);
      return entity.empty() ? "catalog" : std::string(entity);
    }
  }
  return "unknown";
}

Result<Format> DetectFormat(std::string_view name, std::string_view head) {
  if (!CatalogEntity(name).empty()) return Format::kPlaylakeCatalog;
  if (name.starts_with("StreamingHistory") && name.ends_with(".json")) return Format::kSpotifyLegacy;
  if ((name.starts_with("Streaming_History_") || name.starts_with("endsong")) &&
      name.ends_with(".json")) {
    return Format::kSpotifyHistory;
  }
  if (name.ends_with(".csv")) return Format::kCsv;

  std::size_t i = 0;
  if (head.starts_with("\xEF\xBB\xBF")) i = 3;  // UTF-8 byte order mark
  while (i < head.size() && (head[i] == ' ' || head[i] == '\n' || head[i] == '\r' || head[i] == '\t')) {
    ++i;
  }
  const char first = i < head.size() ? head[i] : '\0';
  if (first == '[') {
    if (HasKey(head, "endTime") && HasKey(head, "msPlayed")) return Format::kSpotifyLegacy;
    if (HasKey(head, "ms_played") && HasKey(head, "ts")) return Format::kSpotifyHistory;
  } else if (first == '{') {
    // Judge by the first record only: a later line may be anything.
    std::string_view record = head.substr(i);
    if (FramingOf(Format::kPlaylake) == Framing::kLines) {
      const std::size_t nl = record.find('\n');
      // Pretty-printed objects span lines; keep enough to see their keys.
      if (nl != std::string_view::npos && record.substr(0, nl).find('}') != std::string_view::npos) {
        record = record.substr(0, nl);
      }
    }
    if (HasKey(record, "event_id")) return Format::kPlaylake;
    if (HasKey(record, "sessionId") && HasKey(record, "page")) return Format::kEventsim;
    if (HasKey(record, "song_id") && HasKey(record, "artist_id")) return Format::kMsdSong;
  }
  return Fail(ErrorCode::kData,
              fmt::format("{}: cannot tell the format from the name or the first bytes; pass "
                          "--format (playlake, eventsim, msd-song, spotify-history, "
                          "spotify-legacy, csv, playlake-catalog)",
                          name));
}

}  // namespace playlake::sources
