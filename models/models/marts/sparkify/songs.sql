{{ config(enabled=var('sparkify_tables')) }}
-- Sparkify "songs": every catalogued track (MSD song files, the simulator catalog).
select
    track_id                                   as song_id,
    track_name                                 as title,
    artist_id,
    year(release_date)                         as year,
    duration_ms / 1000.0                       as duration
from {{ ref('stg_tracks') }}
qualify row_number() over (partition by track_id order by source_format) = 1
