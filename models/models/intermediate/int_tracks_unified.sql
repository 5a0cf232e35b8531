-- A view, read once: dim_tracks holds it as a table (with the "unknown"
-- member), and dim_artists and dim_albums read that.
-- Every track anyone played or any catalog lists: catalog attributes where a
-- catalog has the track, otherwise the names the plays carried.
with played as (
    select * from {{ ref('int_tracks_played') }}
),

catalog_one_row as (
    select * from {{ ref('int_catalog_tracks') }}
)

select
    coalesce(c.track_id, p.track_id)          as track_id,
    coalesce(c.track_name, p.track_name)      as track_name,
    coalesce(c.artist_id, p.artist_id)        as artist_id,
    coalesce(c.artist_name, p.artist_name)    as artist_name,
    coalesce(c.album_id, p.album_id)          as album_id,
    coalesce(c.album_name, p.album_name)      as album_name,
    c.genre,
    coalesce(c.duration_ms, p.duration_ms)    as duration_ms,
    c.release_date,
    c.explicit,
    c.danceability,
    c.energy,
    c.valence,
    c.tempo,
    c.acousticness,
    c.instrumentalness,
    c.speechiness,
    c.liveness,
    c.loudness,
    c.track_id is not null                    as in_catalog
from catalog_one_row as c
full outer join played as p on c.track_id = p.track_id
