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
    observed_ts as updated_at,
    device,
    platform,
    source_format
from source
