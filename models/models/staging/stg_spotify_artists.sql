-- Artists looked up in the Spotify Web API (the spotify_api source's catalog
-- enrichment): the newest lookup of each artist Spotify knows. genre is the
-- first of Spotify's genres (NULL when it lists none); popularity and
-- followers are NULL for apps that no longer receive them.
select
    artist_id,
    name                          as artist_name,
    genres[1]                     as genre,
    genres,
    popularity,
    followers,
    fetched_at
from {{ source('silver', 'spotify_artists') }}
where name is not null
qualify row_number() over (partition by artist_id order by fetched_at desc) = 1
