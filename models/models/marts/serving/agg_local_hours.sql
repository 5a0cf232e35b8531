-- Plays per UTC day, filterable attribute, and the listener's local weekday
-- and hour, for the dashboard's weekday x hour heatmap under any filter.
with plays as (
    select * from {{ ref('fct_plays') }}
)

select
    date_key,
    country,
    device,
    level,
    local_weekday,
    local_hour,
    count(*)::integer    as plays
from plays
group by date_key, country, device, level, local_weekday, local_hour
order by date_key
