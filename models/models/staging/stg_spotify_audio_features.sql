-- Audio features from the Spotify Web API, one row per track that has them
-- (none when Spotify refuses them to the app: see silver spotify_app_access).
select
    track_id,
    danceability,
    energy,
    valence,
    tempo,
    acousticness,
    instrumentalness,
    speechiness,
    liveness,
    loudness,
    fetched_at
from {{ source('silver', 'spotify_audio_features') }}
where danceability is not null or energy is not null or tempo is not null
qualify row_number() over (partition by track_id order by fetched_at desc) = 1
