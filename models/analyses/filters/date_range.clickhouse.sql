select toString(min(date_key)) as min_date, toString(max(date_key)) as max_date
from {{ ref('agg_listener_days') }}
