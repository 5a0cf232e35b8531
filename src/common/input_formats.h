// The names of the input formats Playlake reads: what `playlake ingest
// --format` and playlake.yml's sources[].format accept (docs/project.md), the
// one list every subsystem checks names against.
//
// sources::Format declares the formats in this order, so a name's index is
// its enum value (sources/format.cc checks this at compile time). "auto"
// (detect the format per file) is accepted where a format is asked for, but
// is not a format of its own.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace playlake {

inline constexpr std::array<std::string_view, 7> kInputFormatNames{
    "playlake",          // Playlake NDJSON play events
    "eventsim",          // eventsim / Sparkify NDJSON logs
    "msd-song",          // Million Song Dataset song files
    "spotify-history",   // Spotify extended streaming history
    "spotify-legacy",    // Spotify legacy StreamingHistory*.json
    "csv",               // CSV with a header naming play-event contract fields
    "playlake-catalog",  // the simulator's artists/albums/tracks/users.jsonl
};

inline constexpr std::string_view kAutoFormat = "auto";

// True for one of kInputFormatNames, or for "auto" when `allow_auto`.
bool IsInputFormatName(std::string_view name, bool allow_auto);

// The names for a choice list: "auto" first when `with_auto`, then
// kInputFormatNames in order.
std::vector<std::string> InputFormatChoices(bool with_auto);

// The names joined by ", " for messages ("auto, playlake, eventsim, ...").
std::string InputFormatList(bool with_auto);

}  // namespace playlake
