// Input formats and their detection.
//
// Detection looks at the file name first (Spotify and catalog exports have
// fixed names), then at the first bytes of the content. Pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace playlake::sources {

enum class Format {
  kPlaylake,         // Playlake NDJSON play events (docs/event-contract.md)
  kEventsim,         // eventsim / Sparkify NDJSON logs
  kMsdSong,          // Million Song Dataset song files: one JSON object per file
  kSpotifyHistory,   // Spotify extended streaming history: JSON array
  kSpotifyLegacy,    // Spotify legacy StreamingHistory*.json: JSON array
  kCsv,              // CSV with a header naming play-event contract fields
  kPlaylakeCatalog,  // the simulator's artists/albums/tracks/users.jsonl
};

// How records are framed in a file of this format.
enum class Framing {
  kLines,      // NDJSON/CSV: one record per line
  kJsonArray,  // one JSON array of records
  kJsonValues  // one or more top-level JSON values (possibly pretty-printed)
};

std::string_view FormatName(Format format);
// Parses a --format value other than "auto".
std::optional<Format> ParseFormat(std::string_view name);
Framing FramingOf(Format format);
// The bronze entity folder for a file of `format` named `file_name`.
std::string EntityOf(Format format, std::string_view file_name);

// Lines of a file's head that vote on its format.
inline constexpr int kSampleLines = 64;

// Detects the format of a file from its base name and its first bytes: a
// JSON array by the keys in it; otherwise each of the first kSampleLines
// non-blank lines votes for the format its keys name and the most votes win,
// so a few bad lines (garbage, an unrelated object, a play without an id) do
// not decide for the file. Returns Error{kData} naming the file when no line
// matches (binary data, unknown JSON), so the caller can quarantine the whole
// file.
Result<Format> DetectFormat(std::string_view file_name, std::string_view head);

// Why a file of a Spotify data export is not ingested, by its base name:
// files that hold no listening ("SearchQueries.json: search queries, not
// listening"), and listening files of a kind Playlake does not read
// ("StreamingHistory_video_0.json"). Empty for every other name, including
// the listening files Playlake reads (music, podcast, audiobook, extended
// history). Only consulted when the format is detected, not given.
std::string SpotifyExportSkipReason(std::string_view file_name);

// Version of the contract Playlake reads `format` with: the fields and values
// it knows (docs/event-contract.md, "Contract versions"). Recorded with each
// batch; raised when what a format's parser reads changes.
int ContractVersion(Format format);

// The catalog entity of a playlake-catalog file name ("tracks.jsonl" →
// "tracks"), or empty when the name is not one of the four.
std::string_view CatalogEntity(std::string_view file_name);

}  // namespace playlake::sources
