{{ config(enabled=var('sparkify_tables')) }}
-- Sparkify "artists": every catalogued artist.
select
    artist_id,
    artist_name                                as name,
    location,
    latitude,
    longitude
from {{ ref('stg_artists') }}
qualify row_number() over (partition by artist_id order by source_format) = 1
