#include "sources/format.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "common/input_formats.h"

namespace playlake::sources {
namespace {

// A format's name is kInputFormatNames at its enum value.
constexpr std::size_t kFormats = kInputFormatNames.size();
static_assert(static_cast<std::size_t>(Format::kPlaylakeCatalog) + 1 == kFormats);
static_assert(kInputFormatNames[static_cast<std::size_t>(Format::kPlaylake)] == "playlake");
static_assert(kInputFormatNames[static_cast<std::size_t>(Format::kEventsim)] == "eventsim");
static_assert(kInputFormatNames[static_cast<std::size_t>(Format::kMsdSong)] == "msd-song");
static_assert(kInputFormatNames[static_cast<std::size_t>(Format::kSpotifyHistory)] ==
              "spotify-history");
static_assert(kInputFormatNames[static_cast<std::size_t>(Format::kSpotifyLegacy)] ==
              "spotify-legacy");
static_assert(kInputFormatNames[static_cast<std::size_t>(Format::kCsv)] == "csv");
static_assert(kInputFormatNames[static_cast<std::size_t>(Format::kPlaylakeCatalog)] ==
              "playlake-catalog");

bool Has(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// Looks for a JSON key, tolerating Jackson's `"key" :` spacing.
bool HasKey(std::string_view text, std::string_view key) {
  return Has(text, fmt::format("\"{}\"", key));
}

// The format of one JSON record (or a pretty-printed document) by its keys.
std::optional<Format> RecordFormat(std::string_view record) {
  const std::size_t open = record.find_first_not_of(" \t\r\n");
  if (open == std::string_view::npos || record[open] != '{') return std::nullopt;
  if (HasKey(record, "event_id")) return Format::kPlaylake;
  if (HasKey(record, "sessionId") && HasKey(record, "page")) return Format::kEventsim;
  if (HasKey(record, "song_id") && HasKey(record, "artist_id")) return Format::kMsdSong;
  return std::nullopt;
}

// Files of Spotify's "Account data" package that hold no listening, with what
// they hold. Playlist1.json, Playlist2.json, ... and WrappedYYYY.json are
// matched by prefix.
constexpr std::array<std::pair<std::string_view, std::string_view>, 21> kSpotifyNonListening{{
    {"Userdata", "account details"},
    {"Identity", "profile identity"},
    {"Identifiers", "account identifiers"},
    {"Inferences", "advertising inferences"},
    {"Payments", "payment details"},
    {"Follow", "followed artists and users"},
    {"Marquee", "marketing campaigns"},
    {"SearchQueries", "search queries"},
    {"YourLibrary", "saved tracks, albums and shows"},
    {"Playlist", "playlists"},
    {"YourSoundCapsule", "Sound Capsule statistics"},
    {"Wrapped", "Wrapped statistics"},
    {"DuoNewFamily", "family plan details"},
    {"FamilyPlan", "family plan details"},
    {"MessageData", "messages"},
    {"CustomerServiceHistory", "customer service history"},
    {"PodcastInteractivityRatedShow", "podcast ratings"},
    {"PodcastInteractivityQuiz", "podcast quiz answers"},
    {"UserPrompts", "in-app prompts"},
    {"ConnectedDevices", "connected devices"},
    {"Read_Me_First", "the export's read-me"},
}};

bool AllDigits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::string SpotifyExportSkipReason(std::string_view name) {
  const std::size_t dot = name.rfind('.');
  const std::string_view stem = name.substr(0, dot);
  for (const auto& [prefix, what] : kSpotifyNonListening) {
    if (!stem.starts_with(prefix)) continue;
    const std::string_view rest = stem.substr(prefix.size());
    const bool numbered = prefix == "Playlist" || prefix == "Wrapped";
    if (rest.empty() || (numbered && AllDigits(rest))) {
      return fmt::format("{}: a Spotify export file of {}, not listening: skipped", name, what);
    }
  }
  // Legacy listening files: StreamingHistory_<kind>_<n>.json.
  if (stem.starts_with("StreamingHistory_")) {
    const std::string_view kind = stem.substr(17, stem.find('_', 17) - 17);
    if (kind != "music" && kind != "podcast" && kind != "audiobook") {
      return fmt::format(
          "{}: Spotify listening history of type '{}', which playlake does not "
          "read (it reads music, podcast and audiobook files): skipped",
          name, kind);
    }
  }
  return {};
}

int ContractVersion(Format format) {
  switch (format) {
    case Format::kSpotifyHistory:
      return 2;  // 2: IP and user-agent fields, platforms as drift
    case Format::kSpotifyLegacy:
      return 2;  // 2: podcast and audiobook files
    default:
      return 1;
  }
}

std::string_view FormatName(Format format) {
  const auto k = static_cast<std::size_t>(format);
  return k < kFormats ? kInputFormatNames[k] : "unknown";
}

std::optional<Format> ParseFormat(std::string_view name) {
  for (std::size_t k = 0; k < kFormats; ++k) {
    if (kInputFormatNames[k] == name) return static_cast<Format>(k);
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
  } else {
    // One garbage line, an unrelated object or a play without an id must not
    // decide for a whole file: every sampled line votes, the most votes win
    // (a tie goes to the format seen first), and the lines that are not of it
    // become quarantine rows when the file is parsed.
    std::array<int, kFormats> votes{};
    std::array<int, kFormats> first_vote{};
    int sampled = 0;
    std::string_view rest = head.substr(i);
    while (!rest.empty() && sampled < kSampleLines) {
      const std::size_t nl = rest.find('\n');
      const std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      ++sampled;
      if (const std::optional<Format> f = RecordFormat(line)) {
        const auto k = static_cast<std::size_t>(*f);
        if (votes[k]++ == 0) first_vote[k] = sampled;
      }
    }
    std::optional<std::size_t> best;
    for (std::size_t k = 0; k < votes.size(); ++k) {
      if (votes[k] == 0) continue;
      if (!best || votes[k] > votes[*best] ||
          (votes[k] == votes[*best] && first_vote[k] < first_vote[*best])) {
        best = k;
      }
    }
    if (best) return static_cast<Format>(*best);
    // A pretty-printed object spans lines (its first has no '}'): judge it whole.
    const std::string_view first_line = head.substr(i, head.find('\n', i) - i);
    if (first == '{' && first_line.find('}') == std::string_view::npos) {
      if (const std::optional<Format> f = RecordFormat(head.substr(i))) return *f;
    }
  }
  return Fail(ErrorCode::kData,
              fmt::format("{}: cannot tell the format from the name or the first {} lines; pass "
                          "--format ({})",
                          name, kSampleLines, InputFormatList(false)));
}

}  // namespace playlake::sources
