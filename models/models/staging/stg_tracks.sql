with source as (
    select * from {{ source('silver', 'tracks') }}
)

select
    track_id,
    name as track_name,
    artist_id,
    artist_name,
    album_id,
    album_name,
    genre,
    duration_ms,
    coalesce(release_date, make_date(cast(year as integer), 1, 1)) as release_date,
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
    source_format,
    batch_id
from source
