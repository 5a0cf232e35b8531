-- Albums looked up in the Spotify Web API: the newest lookup of each album
-- Spotify knows. release_date is the first day of the year or month when
-- Spotify knows only those (release_date_precision says which).
select
    album_id,
    name                          as album_name,
    album_type,
    artist_id,
    release_date,
    release_date_precision,
    label,
    popularity,
    fetched_at
from {{ source('silver', 'spotify_albums') }}
where name is not null
qualify row_number() over (partition by album_id order by fetched_at desc) = 1
