with source as (
    select * from {{ source('silver', 'artists') }}
)

select
    artist_id,
    name as artist_name,
    genre,
    country,
    location,
    latitude,
    longitude,
    source_format
from source
