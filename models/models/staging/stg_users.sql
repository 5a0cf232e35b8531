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
    timezone('UTC', registration_ts) as registration_ts,
    timezone('UTC', observed_ts) as updated_at,
    device,
    platform,
    source_format
from source
