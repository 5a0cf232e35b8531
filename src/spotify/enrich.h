// Catalog enrichment of a `spotify_api` source (docs/spotify.md, "The catalog
// behind your plays").
//
// Every track that a play references by Spotify id (spotify_plays, and the
// plays of Spotify's extended streaming history exports in silver `plays`)
// and that spotify_tracks does not hold from the last `refresh_age_days` is
// looked up; then the artists and albums those tracks name, and the tracks'
// audio features. Lookups use the batch endpoints (/tracks?ids=, 50 at a
// time; /artists?ids=, 50; /albums?ids=, 20; /audio-features?ids=, 100) and,
// when the app is refused them (403), one request per id. Each answer is one
// batch (raw in bronze, rows in silver), so a crash loses nothing committed
// and a re-run asks only for what is still missing.
//
// Refusals are recorded in silver `spotify_app_access` (endpoint, checked_at,
// allowed): a refused endpoint is not asked again until the refresh age has
// passed, and each run's report says it is refused. Fields an answer lacks
// become NULL and are counted in the report; ids Spotify does not know get a
// row with only the id, so they are not asked again until the refresh age.
//
// Requests run `concurrency` at a time (the source's setting; the client
// bounds them as well). Thread safety: one enrichment per lake at a time (the
// caller holds the lake's writer lock).
#pragma once

#include "common/result.h"
#include "config/project.h"
#include "spotify/api_client.h"
#include "spotify/land.h"
#include "spotify/pull.h"

namespace playlake::spotify {

// Enriches the catalog behind the plays of the lake `lander` writes to. A
// rate limit past the client's cap stops it at its last commit with a
// warning in `report` (not an error). Errors: kIo, kWarehouse, kData (an
// answer that is not what the API documents), the client's errors other than
// 403 and 404.
Status EnrichCatalog(Lander& lander, const config::SourceConfig& source, ApiClient& client,
                     PullReport& report);

}  // namespace playlake::spotify
