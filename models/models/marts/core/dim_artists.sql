-- Every artist a catalog lists or a track names; "unknown" for the rest.
with catalog as (
    select
        artist_id,
        arg_max(artist_name, source_format) as artist_name,
        arg_max(genre, source_format)       as genre,
        arg_max(country, source_format)     as country,
        arg_max(location, source_format)    as location,
        max(latitude)                       as latitude,
        max(longitude)                      as longitude
    from {{ ref('stg_artists') }}
    group by artist_id
),

from_tracks as (
    select artist_id, arg_max(artist_name, track_id) as artist_name, arg_max(genre, track_id) as genre
    from {{ ref('dim_tracks') }}
    where artist_id <> 'unknown'
    group by artist_id
),

artists as (
    select
        coalesce(c.artist_id, t.artist_id)               as artist_id,
        coalesce(c.artist_name, t.artist_name)           as artist_name,
        coalesce(c.genre, t.genre, 'unknown')            as genre,
        c.country,
        c.location,
        c.latitude,
        c.longitude
    from catalog as c
    full outer join from_tracks as t on c.artist_id = t.artist_id
)

select * from artists
union all
select 'unknown', 'Unknown artist', 'unknown', null, null, null, null
where not exists (select 1 from artists where artist_id = 'unknown')
