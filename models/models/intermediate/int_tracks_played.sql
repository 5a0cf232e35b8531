{{ config(materialized='incremental', unique_key='track_id') }}
-- Per played track: the latest non-null track name, artist and album its plays
-- carried, and the longest duration any play gave; int_tracks_unified uses
-- them for tracks no catalog lists.
--
-- Incremental as dim_regions, on the silver batches fct_plays loaded since
-- this table's latest loaded_at: a run folds those batches' plays into the
-- tracks they name and replaces those tracks' rows (delete+insert on
-- track_id). Each value keeps the time of the play it came from (*_at), so
-- folding picks the same latest value a full pass over every play would.
with {% if is_incremental() %}new_batches as ({{ fct_plays_batches_loaded_since_this() }}),

{% endif %}new_plays as (
    select track_id, played_at, track_name, artist_id, artist_name, album_id, album_name, duration_ms
    from {{ ref('stg_plays') }}
    {% if is_incremental() %}
    where batch_id in (select batch_id from new_batches)
    {% endif %}
),

parts as (
    select
        track_id,
        arg_max(track_name, played_at)                                   as track_name,
        max(played_at) filter (where track_name is not null)             as track_name_at,
        arg_max(artist_id, played_at)                                    as artist_id,
        max(played_at) filter (where artist_id is not null)              as artist_id_at,
        arg_max(artist_name, played_at)                                  as artist_name,
        max(played_at) filter (where artist_name is not null)            as artist_name_at,
        arg_max(album_id, played_at)                                     as album_id,
        max(played_at) filter (where album_id is not null)               as album_id_at,
        arg_max(album_name, played_at)                                   as album_name,
        max(played_at) filter (where album_name is not null)             as album_name_at,
        max(duration_ms)                                                 as duration_ms
    from new_plays
    group by track_id
    {% if is_incremental() %}
    union all
    select
        track_id, track_name, track_name_at, artist_id, artist_id_at, artist_name, artist_name_at,
        album_id, album_id_at, album_name, album_name_at, duration_ms
    from {{ this }}
    where track_id in (select track_id from new_plays)
    {% endif %}
)

select
    track_id,
    arg_max(track_name, track_name_at)      as track_name,
    max(track_name_at)                      as track_name_at,
    arg_max(artist_id, artist_id_at)        as artist_id,
    max(artist_id_at)                       as artist_id_at,
    arg_max(artist_name, artist_name_at)    as artist_name,
    max(artist_name_at)                     as artist_name_at,
    arg_max(album_id, album_id_at)          as album_id,
    max(album_id_at)                        as album_id_at,
    arg_max(album_name, album_name_at)      as album_name,
    max(album_name_at)                      as album_name_at,
    max(duration_ms)                        as duration_ms,
    {% if is_incremental() %}
    (select max(loaded_at) from new_batches)                    as loaded_at
    {% else %}
    (select max(loaded_at) from {{ ref('fct_plays') }})         as loaded_at
    {% endif %}
from parts
group by track_id
