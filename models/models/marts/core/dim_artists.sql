{{ config(materialized='incremental', unique_key='artist_id') }}
-- Every artist a catalog lists, a track names or a play carried; "unknown"
-- for the rest. Plays count: a track Spotify re-attributed names its latest
-- artist in dim_tracks, while its older plays keep the artist they had
-- (int_track_attributions), and each of them needs its row here.
-- artist_key, a 64-bit hash of artist_id, is the key fct_plays and
-- agg_artist_weeks carry (as dim_tracks' track_key).
--
-- Incremental by artist: an artist's row depends on its catalog rows, on the
-- dim_tracks rows naming it and on its int_track_attributions rows. New plays
-- rewrite the dim_tracks rows of the tracks they name (the latest loaded_at
-- of dim_tracks this table has seen tells which), and every artist such a
-- track named before or names now is among its int_track_attributions rows
-- (a catalog track's artist changes only with the catalogs). A run replaces
-- those artists (delete+insert on artist_id), or every artist when the artist
-- catalogs' contents (catalog_hash) or the track catalogs' batches
-- (dim_tracks.catalog_batches) differ from the ones this table was built from.
with catalog as (
    select
        artist_id,
        arg_max(artist_name, source_format) as artist_name,
        arg_max(genre, source_format)       as genre,
        arg_max(country, source_format)     as country,
        arg_max(location, source_format)    as location,
        max(latitude)                       as latitude,
        max(longitude)                      as longitude
    from (
        select artist_id, artist_name, genre, country, location, latitude, longitude, source_format
        from {{ ref('stg_artists') }}
        union all by name
        select artist_id, artist_name, genre, 'spotify-api' as source_format
        from {{ ref('stg_spotify_artists') }}
    )
    group by artist_id
),

{{ keys_of_rewritten_tracks('artist_id', 'artist_id, artist_name, genre, country, location, latitude, longitude') }}
from_tracks as (
    select artist_id, arg_max(artist_name, track_id) as artist_name, arg_max(genre, track_id) as genre
    from {{ ref('dim_tracks') }}
    where artist_id <> 'unknown'{{ chosen_keys_only('artist_id') }}
    group by artist_id
),

from_plays as (
    select artist_id, arg_max(artist_name, artist_name_at) as artist_name
    from {{ ref('int_track_attributions') }}
    where artist_id <> 'unknown'{{ chosen_keys_only('artist_id') }}
    group by artist_id
),

-- Artists of plays without artist ids (Spotify exports) are keyed by name
-- (stg_plays), which no catalog lists: the genre of the catalog tracks their
-- plays named (such as the tracks the Spotify Web API enrichment looked up),
-- the genre most of them have.
from_catalog_tracks as (
    select artist_id, genre
    from (
        select p.artist_id, c.genre, count(*) as tracks
        from {{ ref('int_track_attributions') }} as p
        join {{ ref('int_catalog_tracks') }} as c on p.track_id = c.track_id
        where p.artist_id like 'name:%' and c.genre is not null{{ chosen_keys_only('p.artist_id') }}
        group by p.artist_id, c.genre
    )
    qualify row_number() over (partition by artist_id order by tracks desc, genre) = 1
),

artist_ids as (
    select artist_id from catalog
    where true{{ chosen_keys_only('artist_id') }}
    union
    select artist_id from from_tracks
    union
    select artist_id from from_plays
),

artists as (
    select
        i.artist_id,
        coalesce(c.artist_name, t.artist_name, p.artist_name) as artist_name,
        coalesce(c.genre, nullif(t.genre, 'unknown'), g.genre, 'unknown') as genre,
        c.country,
        c.location,
        c.latitude,
        c.longitude
    from artist_ids as i
    left join catalog as c on i.artist_id = c.artist_id
    left join from_tracks as t on i.artist_id = t.artist_id
    left join from_plays as p on i.artist_id = p.artist_id
    left join from_catalog_tracks as g on i.artist_id = g.artist_id
)

-- The "unknown" member is written once and never rewritten, so it carries no
-- marks (NULL), as in dim_tracks.
select hash(a.artist_id) as artist_key, a.*, v.*
from artists as a, versions as v
union all
select
    hash('unknown'), 'unknown', 'Unknown artist', 'unknown', null, null, null, null, null, null, null
where not exists (select 1 from artists where artist_id = 'unknown')
{% if is_incremental() %}
    and not exists (select 1 from {{ this }} where artist_id = 'unknown')
{% endif %}
