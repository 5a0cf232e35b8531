// Names for simulated people, artists, albums and tracks.
//
// Built from word lists by a seeded Rng, so a catalog is a pure function of
// the seed. Names are UTF-8 and sometimes contain characters JSON must
// escape (quotes) and non-ASCII letters, as real catalogs do.
#pragma once

#include <string>
#include <string_view>

#include "sim/rng.h"

namespace playlake::sim {

std::string PersonFirstName(Rng& rng, bool female);
std::string PersonLastName(Rng& rng);
std::string ArtistName(Rng& rng);
std::string AlbumName(Rng& rng);
std::string TrackName(Rng& rng);

// Appends text as the inside of a JSON string. escape_slash writes "/" as
// "\/" (what eventsim's Jackson output does).
void AppendJsonEscaped(std::string& out, std::string_view text, bool escape_slash = false);
// Returns "\"" + escaped + "\"".
std::string JsonString(std::string_view text, bool escape_slash = false);

}  // namespace playlake::sim
