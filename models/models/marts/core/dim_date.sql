-- One row per calendar day from the first to the last play (UTC dates), of
-- music, podcasts and audiobooks alike.
with bounds as (
    select min(first_day) as first_day, max(last_day) as last_day
    from (
        select min(event_date) as first_day, max(event_date) as last_day from {{ ref('stg_plays') }}
        union all
        select min(event_date), max(event_date) from {{ ref('stg_episodes') }}
    )
),

days as (
    select cast(day as date) as date_key
    from bounds, range(bounds.first_day, bounds.last_day + interval 1 day, interval 1 day) as t(day)
)

select
    date_key,
    year(date_key)                              as year,
    quarter(date_key)                           as quarter,
    month(date_key)                             as month,
    monthname(date_key)                         as month_name,
    day(date_key)                               as day_of_month,
    isodow(date_key)                            as day_of_week,
    dayname(date_key)                           as day_name,
    cast(date_trunc('week', date_key) as date)  as week_start,
    isodow(date_key) in (6, 7)                  as is_weekend
from days
