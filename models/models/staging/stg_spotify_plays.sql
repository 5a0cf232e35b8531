-- A listener's plays pulled from the Spotify Web API (recently played), in
-- silver plays' shape, each with the play of a streaming-history export it
-- is the same listen as (export_play_id, NULL when none).
--
-- The API's played_at is when the track stopped playing, as the export's ts
-- (silver end_ts) is; the API gives no ms_played, so a play is taken as one
-- to the end: ms_played is the track's length, the start played_at minus it. Artists and albums
-- are keyed by name, as the export's are (stg_plays), so a listener's API and
-- export plays of one artist group together.
--
-- The same listen, pulled from the API and later (or earlier) found in an
-- export: same user, same track, the export's end within
-- spotify_play_match_seconds of played_at; each API play is paired with the
-- nearest such export play and each export play with the nearest API play,
-- and only mutual nearest pairs count (a track replayed a minute later is
-- two listens). stg_plays keeps the export's row of a pair (it has ms_played,
-- platform, country); fct_plays keeps the one it loaded first.
with api as (
    select
        'spotify-api:' || md5(user_id || '|' || track_id || '|' || epoch_us(played_at)) as play_id,
        played_at - to_milliseconds(coalesce(duration_ms, 0)) as event_ts,
        played_at                                 as end_ts,
        user_id,
        track_id,
        track_name,
        artist_name,
        album_name,
        duration_ms,
        context_type,
        context_uri,
        batch_id
    from {{ source('silver', 'spotify_plays') }}
),

exported as (
    select play_id, user_id, track_id, end_ts
    from {{ source('silver', 'plays') }}
    where source_format like 'spotify-history%'
        and track_id in (select track_id from api)
),

pairs as (
    select
        a.play_id                                 as api_play_id,
        e.play_id                                 as export_play_id,
        abs(epoch_us(a.end_ts) - epoch_us(e.end_ts)) as gap_us
    from api as a
    join exported as e
        on a.user_id = e.user_id
        and a.track_id = e.track_id
        and abs(epoch_us(a.end_ts) - epoch_us(e.end_ts))
            <= {{ var('spotify_play_match_seconds') }} * 1000000
),

nearest as (
    select
        api_play_id,
        export_play_id,
        row_number() over (partition by api_play_id order by gap_us, export_play_id) as api_rank,
        row_number() over (partition by export_play_id order by gap_us, api_play_id) as export_rank
    from pairs
)

select
    a.play_id,
    a.event_ts,
    cast(make_timestamp(epoch_us(a.event_ts)) as date) as event_date,
    a.end_ts,
    a.user_id,
    a.track_id,
    a.track_name,
    a.artist_name,
    a.album_name,
    a.duration_ms,
    a.duration_ms                             as ms_played,
    a.context_type,
    a.context_uri,
    'spotify-api'                             as source_format,
    a.batch_id,
    n.export_play_id
from api as a
left join nearest as n on a.play_id = n.api_play_id and n.api_rank = 1 and n.export_rank = 1
