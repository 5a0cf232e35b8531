-- Question 9: daily KPIs with a 7-day rolling average and growth.
with daily as (
    select
        date_key                                              as kpi_date,
        plays,
        listeners,
        ms_played / 3600000.0                                 as listening_hours,
        sessions,
        skipped_plays / plays                                 as skip_rate,
        paid_plays / plays                                    as paid_share,
        mobile_plays / plays                                  as mobile_share,
        top_country
    from {{ ref('agg_kpi_days') }}
),

calendar as (
    select d.date_key as kpi_date from {{ ref('dim_date') }} as d
),

filled as (
    select
        c.kpi_date,
        coalesce(d.plays, 0)              as plays,
        coalesce(d.listeners, 0)          as listeners,
        coalesce(d.listening_hours, 0)    as listening_hours,
        coalesce(d.sessions, 0)           as sessions,
        d.skip_rate,
        d.paid_share,
        d.mobile_share,
        d.top_country
    from calendar as c
    left join daily as d on c.kpi_date = d.kpi_date
)

select
    *,
    avg(plays) over last_7_days                                   as plays_7d_avg,
    avg(listeners) over last_7_days                               as listeners_7d_avg,
    avg(listening_hours) over last_7_days                         as listening_hours_7d_avg,
    case when lag(plays) over by_day > 0
         then round(100.0 * (plays - lag(plays) over by_day) / lag(plays) over by_day, 2) end as plays_growth_pct,
    case when lag(plays, 7) over by_day > 0
         then round(100.0 * (plays - lag(plays, 7) over by_day) / lag(plays, 7) over by_day, 2) end as plays_wow_growth_pct
from filled
window
    by_day as (order by kpi_date),
    last_7_days as (order by kpi_date rows between 6 preceding and current row)
