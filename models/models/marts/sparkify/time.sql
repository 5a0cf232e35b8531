-- Sparkify "time": each distinct play start broken into calendar units.
with starts as (
    select distinct played_at from {{ ref('stg_plays') }}
)

select
    played_at                      as start_time,
    hour(played_at)                as hour,
    day(played_at)                 as day,
    week(played_at)                as week,
    month(played_at)               as month,
    year(played_at)                as year,
    isodow(played_at)              as weekday
from starts
