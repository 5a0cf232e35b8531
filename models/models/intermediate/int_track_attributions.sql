{{ config(materialized='incremental', unique_key=['track_id', 'artist_id', 'album_id']) }}
-- The history of each played track's attribution: one row per (track, artist,
-- album) that plays carried, with the names, the longest duration, how many
-- plays and when. Spotify re-attributes tracks, so one spotify_track_uri can
-- come with two album artists in one export; dim_tracks keeps the latest, and
-- dim_artists and dim_albums take every artist and album found here, so every
-- key of fct_plays finds its dimension row. int_tracks_played folds these rows
-- per track, so the plays' names are read from silver once, here.
--
-- Incremental on the silver batches fct_plays loaded since this table's
-- latest loaded_at (delete+insert on the three keys); each name keeps the time
-- of the play it came from (*_at), so folding picks the value a full pass
-- would. Small: about one row per track.
with {% if is_incremental() %}new_batches as ({{ fct_plays_batches_loaded_since_this() }}),

{% endif %}new_plays as (
    select
        track_id,
        artist_id,
        coalesce(album_id, 'unknown') as album_id,
        track_name,
        artist_name,
        album_name,
        duration_ms,
        played_at
    from {{ ref('stg_plays') }}
    {% if is_incremental() %}
    where batch_id in (select batch_id from new_batches)
    {% endif %}
),

parts as (
    select
        track_id,
        artist_id,
        album_id,
        arg_max(track_name, played_at)                           as track_name,
        max(played_at) filter (where track_name is not null)     as track_name_at,
        arg_max(artist_name, played_at)                          as artist_name,
        max(played_at) filter (where artist_name is not null)    as artist_name_at,
        arg_max(album_name, played_at)                           as album_name,
        max(played_at) filter (where album_name is not null)     as album_name_at,
        max(duration_ms)                                         as duration_ms,
        count(*)                                                 as plays,
        min(played_at)                                           as first_played_at,
        max(played_at)                                           as last_played_at
    from new_plays
    group by track_id, artist_id, album_id
    {% if is_incremental() %}
    union all
    select
        track_id, artist_id, album_id, track_name, track_name_at, artist_name, artist_name_at,
        album_name, album_name_at, duration_ms, plays, first_played_at, last_played_at
    from {{ this }}
    semi join (select distinct track_id, artist_id, album_id from new_plays) as n
        using (track_id, artist_id, album_id)
    {% endif %}
)

select
    track_id,
    artist_id,
    album_id,
    arg_max(track_name, track_name_at)      as track_name,
    max(track_name_at)                      as track_name_at,
    arg_max(artist_name, artist_name_at)    as artist_name,
    max(artist_name_at)                     as artist_name_at,
    arg_max(album_name, album_name_at)      as album_name,
    max(album_name_at)                      as album_name_at,
    max(duration_ms)                        as duration_ms,
    sum(plays)::bigint                      as plays,
    min(first_played_at)                    as first_played_at,
    max(last_played_at)                     as last_played_at,
    {% if is_incremental() %}
    (select max(loaded_at) from new_batches)                    as loaded_at
    {% else %}
    (select max(loaded_at) from {{ ref('fct_plays') }})         as loaded_at
    {% endif %}
from parts
group by track_id, artist_id, album_id
