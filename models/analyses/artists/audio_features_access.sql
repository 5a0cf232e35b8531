-- Whether Spotify lets the app read audio features, by the newest check of
-- its two endpoints (one track, several tracks): allowed when either is;
-- NULLs when no Spotify Web API pull asked.
select
    bool_or(allowed)                                      as allowed,
    arg_max(http_status, checked_at) filter (where not allowed) as http_status,
    strftime(max(checked_at), '%Y-%m-%d')                 as checked_on
from {{ ref('spotify_endpoint_access') }}
where endpoint in ('audio_features', 'audio_features_batch')
