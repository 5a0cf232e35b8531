-- One row per calendar day from the first to the last play (UTC dates), of
-- music, podcasts and audiobooks alike.
--
-- The bounds come from the facts, not silver: a table's min and max of a date
-- column cost a few milliseconds, a scan of every silver file a third of a
-- second, paid by every build after new plays.
with bounds as (
    select min(first_day) as first_day, max(last_day) as last_day
    from (
        select min(date_key) as first_day, max(date_key) as last_day from {{ ref('fct_plays') }}
        union all
        select min(date_key), max(date_key) from {{ ref('fct_episode_plays') }}
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
