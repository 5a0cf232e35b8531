{{ config(materialized='table') }}
-- One row per track a catalog lists (the first source by name when several
-- do): what agg_genre_weeks takes genres from and int_tracks_unified starts from.
-- The tracks looked up in the Spotify Web API are a catalog too
-- (source_format spotify-api, ahead of the exports' spotify-history).
-- A table, not a view: the build keeps it while the catalogs do not change,
-- so fct_plays, dim_tracks and dim_artists read 200,000 stored rows after
-- new plays instead of ranking every catalog row again in each of them.
select *
from (
    select * from {{ ref('stg_tracks') }}
    union all by name
    select * from {{ ref('stg_spotify_tracks') }}
)
qualify row_number() over (partition by track_id order by source_format, track_name) = 1
