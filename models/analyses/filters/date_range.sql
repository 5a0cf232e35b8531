-- The first and last day with plays.
select min(date_key)::varchar as min_date, max(date_key)::varchar as max_date
from {{ ref('agg_listener_days') }}
