{{ config(materialized='incremental', unique_key='date_key') }}
-- Plays per UTC day, filterable attribute, and the listener's local weekday
-- and hour, for the dashboard's weekday x hour heatmap under any filter.
with plays as (
    select * from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    where date_key in ({{ fct_plays_days_loaded_since_this() }})
    {% endif %}
)

select
    date_key,
    country,
    device,
    level,
    local_weekday,
    local_hour,
    count(*)::integer    as plays,
    max(loaded_at)       as loaded_at
from plays
group by date_key, country, device, level, local_weekday, local_hour
order by date_key
