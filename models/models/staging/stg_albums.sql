with source as (
    select * from {{ source('silver', 'albums') }}
)

select
    album_id,
    name as album_name,
    artist_id,
    release_date,
    album_type,
    source_format
from source
