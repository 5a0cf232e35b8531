{{ config(materialized='incremental', unique_key='date_key') }}
-- Plays per UTC day, filterable attribute, and the listener's local weekday
-- and hour, for the dashboard's weekday x hour heatmap under any filter.
with plays as (
    select * from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- Only the days that gained plays since this table's latest loaded_at.
    where date_key in (
        select date_key from {{ ref('fct_plays') }}
        where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
    )
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
