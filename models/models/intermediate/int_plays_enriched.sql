-- Plays with their track's genre and the calendar of the listener's local time.
with plays as (
    select * from {{ ref('stg_plays') }}
),

tracks as (
    select track_id, genre, artist_id, artist_name, track_name from {{ ref('int_tracks_unified') }}
),

artists as (
    select artist_id, any_value(genre) as genre from {{ ref('stg_artists') }} group by artist_id
)

select
    p.play_id,
    p.played_at,
    p.event_date,
    p.played_at_local,
    cast(p.played_at_local as date)                     as local_date,
    hour(p.played_at_local)                             as local_hour,
    isodow(p.played_at_local)                           as local_weekday,
    cast(date_trunc('week', p.event_date) as date)      as week_start,
    p.user_id,
    p.session_id,
    p.track_id,
    coalesce(p.artist_id, t.artist_id)                  as artist_id,
    coalesce(p.track_name, t.track_name)                as track_name,
    coalesce(p.artist_name, t.artist_name)              as artist_name,
    p.album_id,
    p.album_name,
    coalesce(t.genre, a.genre, 'unknown')               as genre,
    p.duration_ms,
    p.ms_played,
    p.skipped,
    p.country,
    p.region,
    p.city,
    p.timezone,
    p.device,
    p.platform,
    p.level,
    p.reason_start,
    p.reason_end,
    p.shuffle,
    p.offline,
    p.source_format
from plays as p
left join tracks as t on p.track_id = t.track_id
left join artists as a on coalesce(p.artist_id, t.artist_id) = a.artist_id
