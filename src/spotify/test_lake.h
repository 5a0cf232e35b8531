// Test-only helpers of the spotify_api source's tests: a project pointed at
// the fake API, and what its lake holds (rows by key, every byte as text).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "spotify/fake_spotify_api.h"

namespace playlake::spotify::testing {

// Writes `dir`/playlake.yml with one spotify_api source named "me" pulling
// `pulls` (a YAML list such as "[recently_played]") from `fake`, and a saved
// login (secrets.json) with a refresh token the fake issued.
void WriteSpotifyProject(const std::filesystem::path& dir, FakeSpotifyApi& fake,
                         const std::string& pulls, bool enrichment = false);

struct KeyCount {
  std::int64_t rows = 0;  // rows in the committed files of the table
  std::int64_t keys = 0;  // distinct keys among them
};

// Counts the rows of silver `table` in the lake at `lake_root` and its
// distinct values of `key` (a SQL expression over its columns).
KeyCount CountSilver(const std::filesystem::path& lake_root, const std::string& table,
                     const std::string& key);

// Every file under `root` as text, zstd files decompressed and Parquet
// files as their rows: what a grep for a secret has to search.
std::string AllText(const std::filesystem::path& root);

// Every access and refresh token `fake` received (in headers and form
// bodies): what must appear nowhere else.
std::vector<std::string> ReceivedTokens(const FakeSpotifyApi& fake);

}  // namespace playlake::spotify::testing
