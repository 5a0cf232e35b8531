{{ config(materialized='incremental', unique_key='date_key') }}
-- Plays per UTC day, filterable attribute, and the listener's local weekday
-- and hour, for the dashboard's weekday x hour heatmap under any filter.
with plays as (
    select * from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- Only the days that gained plays since the last build (fct_plays only
    -- grows between full refreshes, so a day's count differs exactly then).
    where date_key in (
        select f.date_key
        from (select date_key, count(*) as plays from {{ ref('fct_plays') }} group by date_key) as f
        left join (select date_key, sum(plays) as plays from {{ this }} group by date_key) as c
            on f.date_key = c.date_key
        where c.plays is distinct from f.plays
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
    count(*)::integer    as plays
from plays
group by date_key, country, device, level, local_weekday, local_hour
order by date_key
