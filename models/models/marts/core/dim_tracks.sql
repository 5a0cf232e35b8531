-- Every track, from the catalogs and from the plays; "unknown" for plays without one.
-- track_key is an integer surrogate for the serving cubes, which group by it
-- much faster than by the text id: a 64-bit hash of track_id, so it is the
-- same in every build (the incremental cubes keep old rows; they compute it
-- from fct_plays.track_id the same way) and its unique test would catch the
-- unlikely collision.
with tracks as (
    select * from {{ ref('int_tracks_unified') }}
),

members as (
    select
        track_id,
        track_name,
        coalesce(artist_id, 'unknown') as artist_id,
        artist_name,
        coalesce(album_id, 'unknown')  as album_id,
        album_name,
        coalesce(genre, 'unknown')     as genre,
        duration_ms,
        release_date,
        explicit,
        danceability,
        energy,
        valence,
        tempo,
        acousticness,
        instrumentalness,
        speechiness,
        liveness,
        loudness,
        in_catalog
    from tracks
    union all
    select
        'unknown', 'Unknown track', 'unknown', 'Unknown artist', 'unknown', null, 'unknown',
        null, null, null, null, null, null, null, null, null, null, null, null, false
    where not exists (select 1 from tracks where track_id = 'unknown')
)

select
    hash(track_id) as track_key,
    *
from members
