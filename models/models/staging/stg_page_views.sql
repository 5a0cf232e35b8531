with source as (
    select * from {{ source('silver', 'page_views') }}
)

select
    page_view_id,
    timezone('UTC', event_ts) as viewed_at,
    event_date,
    user_id,
    session_id,
    page,
    level,
    source_format
from source
