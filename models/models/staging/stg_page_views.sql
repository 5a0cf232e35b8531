with source as (
    select * from {{ source('silver', 'page_views') }}
)

select
    event_id   as page_view_id,
    ts         as viewed_at,
    event_date,
    user_id,
    session_id,
    page,
    level,
    source_format
from source
