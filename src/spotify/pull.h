// Pulling a `spotify_api` source (playlake.yml, docs/spotify.md) into the lake.
//
// Every API answer lands raw in bronze (bronze/<source>/<pull>/…json.zst; its
// manifest entry's input_path is the request URL, which never holds a token),
// then as typed rows in silver. A batch is one answer: its id is derived from
// source, pull, request URL and body, so an answer fetched again after a crash
// finds its batch committed and adds nothing.
//
// Recently played is incremental: the checkpoint (the `after` cursor, ms since
// the epoch) is a count in the stats of the silver entry that commits the
// plays ("checkpoint.after_ms"), so it advances in the same atomic commit as
// the rows. Spotify keeps only a listener's last 50 plays: when a full page's
// oldest play is newer than the checkpoint, plays in between may be lost and
// the report says so.
//
// Ownership: borrows the lake and the client. Thread safety: one pull per lake
// at a time (the pull holds the lake's writer lock while it runs).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "config/project.h"
#include "lake/lake.h"
#include "spotify/api_client.h"

namespace playlake::spotify {

struct PullReport {
  std::string source;
  std::int64_t requests = 0;                 // sent, retries included
  std::int64_t responses = 0;                // answers landed in bronze (new batches)
  std::int64_t already = 0;                  // answers whose batch was committed before
  std::map<std::string, std::int64_t> rows;  // silver table → new rows
  std::vector<std::string> warnings;         // gaps, refusals, stops at a checkpoint
  // "spotify_artists.popularity" → catalog rows where the answer lacked the
  // field (stored as NULL), and "<table>.not_found" → ids Spotify did not know.
  std::map<std::string, std::int64_t> missing;
  // One line: "spotify source me: 3 requests, 2 answers landed, spotify_plays +50,
  // missing fields: …; …".
  std::string Summary() const;
};

// Pulls what `source.spotify_api` asks for, then (with `enrichment`) looks up
// the catalog behind the plays (enrich.h). A rate limit past the client's
// cap stops the pull at its last commit with a warning (not an error).
// REQUIRES: source.spotify_api is set. Errors: kIo, kData (an answer that is
// not what the API documents), kUnauthorized-style errors of the client as
// Error{kConfig} telling how to log in again.
Result<PullReport> PullSpotifySource(lake::Lake& lake, const config::SourceConfig& source,
                                     ApiClient& client);

// The recently-played checkpoint of `source` (ms since the epoch; 0: none).
Result<std::int64_t> RecentlyPlayedCheckpoint(lake::Lake& lake, const std::string& source);

}  // namespace playlake::spotify
