-- Every album a catalog lists, a track names or a play carried; "unknown" for
-- the rest. Plays count for the same reason as in dim_artists: a re-attributed
-- track's older plays keep the album they had (int_track_attributions).
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

from_tracks as (
    select album_id, arg_max(album_name, track_id) as album_name, arg_max(artist_id, track_id) as artist_id
    from {{ ref('dim_tracks') }}
    where album_id <> 'unknown'
    group by album_id
),

from_plays as (
    select
        album_id,
        arg_max(album_name, album_name_at)   as album_name,
        arg_max(artist_id, last_played_at)   as artist_id
    from {{ ref('int_track_attributions') }}
    where album_id <> 'unknown'
    group by album_id
),

album_ids as (
    select album_id from catalog
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

select * from albums
union all
select 'unknown', 'Unknown album', 'unknown', null, null
where not exists (select 1 from albums where album_id = 'unknown')
