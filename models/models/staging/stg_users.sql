with source as (
    select * from {{ source('silver', 'users') }}
)

select
    user_id,
    first_name,
    last_name,
    gender,
    level,
    country,
    region,
    city,
    timezone,
    registration_ts,
    updated_at,
    source_format
from source
