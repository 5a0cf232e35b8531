{{ config(materialized='incremental', unique_key='album_id') }}
-- Every album a catalog lists, a track names or a play carried; "unknown" for
-- the rest. Plays count for the same reason as in dim_artists: a re-attributed
-- track's older plays keep the album they had (int_track_attributions).
-- album_key, a 64-bit hash of album_id, is the key fct_plays carries.
--
-- Incremental by album as dim_artists is by artist: a run replaces the albums
-- the dim_tracks rows rewritten since this table's latest loaded_at name, and
-- every album those tracks' int_track_attributions rows name; every album when
-- the album catalog's contents (catalog_hash) or the track catalogs' batches
-- (dim_tracks.catalog_batches) changed.
with catalog as (
    select
        album_id,
        arg_max(album_name, source_format)   as album_name,
        arg_max(artist_id, source_format)    as artist_id,
        max(release_date)                    as release_date,
        arg_max(album_type, source_format)   as album_type
    from {{ ref('stg_albums') }}
    group by album_id
),

{{ keys_of_rewritten_tracks('album_id', 'album_id, album_name, artist_id, release_date, album_type') }}
from_tracks as (
    select album_id, arg_max(album_name, track_id) as album_name, arg_max(artist_id, track_id) as artist_id
    from {{ ref('dim_tracks') }}
    where album_id <> 'unknown'{{ chosen_keys_only('album_id') }}
    group by album_id
),

from_plays as (
    select
        album_id,
        arg_max(album_name, album_name_at)   as album_name,
        arg_max(artist_id, last_played_at)   as artist_id
    from {{ ref('int_track_attributions') }}
    where album_id <> 'unknown'{{ chosen_keys_only('album_id') }}
    group by album_id
),

album_ids as (
    select album_id from catalog
    where true{{ chosen_keys_only('album_id') }}
    union
    select album_id from from_tracks
    union
    select album_id from from_plays
),

albums as (
    select
        i.album_id,
        coalesce(c.album_name, t.album_name, p.album_name)           as album_name,
        coalesce(c.artist_id, t.artist_id, p.artist_id, 'unknown')   as artist_id,
        c.release_date,
        c.album_type
    from album_ids as i
    left join catalog as c on i.album_id = c.album_id
    left join from_tracks as t on i.album_id = t.album_id
    left join from_plays as p on i.album_id = p.album_id
)

-- The "unknown" member is written once and never rewritten, so it carries no
-- marks (NULL), as in dim_tracks.
select hash(a.album_id) as album_key, a.*, v.*
from albums as a, versions as v
union all
select hash('unknown'), 'unknown', 'Unknown album', 'unknown', null, null, null, null, null
where not exists (select 1 from albums where album_id = 'unknown')
{% if is_incremental() %}
    and not exists (select 1 from {{ this }} where album_id = 'unknown')
{% endif %}
