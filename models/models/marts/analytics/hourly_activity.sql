-- Question 4: peak listening hours, by weekday (1 = Monday) and local hour.
with plays as (
    select local_weekday, local_hour, local_date, user_id from {{ ref('fct_plays') }}
),

days_per_weekday as (
    select local_weekday, count(distinct local_date) as days
    from plays
    group by local_weekday
)

select
    p.local_weekday,
    dayname(date '2024-01-01' + cast(p.local_weekday - 1 as integer)) as weekday_name,
    p.local_hour,
    count(*)                                               as plays,
    count(distinct p.user_id)                              as listeners,
    count(*) / any_value(d.days)                           as avg_plays_per_day
from plays as p
join days_per_weekday as d on p.local_weekday = d.local_weekday
group by p.local_weekday, p.local_hour
