-- Every album a catalog lists or a track names; "unknown" for the rest.
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

albums as (
    select
        coalesce(c.album_id, t.album_id)       as album_id,
        coalesce(c.album_name, t.album_name)   as album_name,
        coalesce(c.artist_id, t.artist_id, 'unknown') as artist_id,
        c.release_date,
        c.album_type
    from catalog as c
    full outer join from_tracks as t on c.album_id = t.album_id
)

select * from albums
union all
select 'unknown', 'Unknown album', 'unknown', null, null
where not exists (select 1 from albums where album_id = 'unknown')
