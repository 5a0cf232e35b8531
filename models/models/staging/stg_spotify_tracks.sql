-- Tracks looked up in the Spotify Web API (the tracks of a listener's API and
-- exported plays), shaped as stg_tracks so the catalog models take them like
-- any catalog: the newest lookup of each track Spotify knows, its genre the
-- first genre of its (first) artist, its release date its album's, its audio
-- features where the app may read them (NULL otherwise). batch_id names the
-- lookups the row comes from, so models that depend on the catalog's batches
-- see a new lookup as a change.
with tracks as (
    select *
    from {{ source('silver', 'spotify_tracks') }}
    where name is not null
    qualify row_number() over (partition by track_id order by fetched_at desc) = 1
)

select
    t.track_id,
    t.name                                    as track_name,
    t.artist_id,
    coalesce(a.artist_name, t.artist_name)    as artist_name,
    t.album_id,
    al.album_name,
    a.genre,
    t.duration_ms,
    al.release_date,
    t.explicit,
    f.danceability,
    f.energy,
    f.valence,
    f.tempo,
    f.acousticness,
    f.instrumentalness,
    f.speechiness,
    f.liveness,
    f.loudness,
    'spotify-api'                             as source_format,
    'spotify-api@' || strftime(greatest(t.fetched_at, a.fetched_at, al.fetched_at, f.fetched_at),
                               '%Y-%m-%dT%H:%M:%S') as batch_id
from tracks as t
left join {{ ref('stg_spotify_artists') }} as a on t.artist_id = a.artist_id
left join {{ ref('stg_spotify_albums') }} as al on t.album_id = al.album_id
left join {{ ref('stg_spotify_audio_features') }} as f on t.track_id = f.track_id
