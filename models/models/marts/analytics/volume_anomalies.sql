-- Question 9: hourly play counts outside ±2σ of the norm for that hour of the day
-- (UTC). Comparing each hour with its own hour-of-day keeps the daily rhythm
-- from being flagged as anomalous. Hours with no plays count as zero.
-- Counted from each play's UTC date and minute of the day (date_key,
-- time_key: small integers the fact stores compactly), not from played_at:
-- one scan of two narrow columns instead of two of the timestamps.
with counts as (
    select cast(date_key as timestamp) + to_hours(hour) as hour_start, plays
    from (
        select date_key, time_key // 60 as hour, count(*) as plays
        from {{ ref('fct_plays') }}
        group by date_key, time_key // 60
    )
),

bounds as (
    select min(hour_start) as first_hour, max(hour_start) as last_hour from counts
),

hours as (
    select h as hour_start
    from bounds, range(bounds.first_hour, bounds.last_hour + interval 1 hour, interval 1 hour) as t(h)
),

hourly as (
    select h.hour_start, hour(h.hour_start) as hour_of_day, coalesce(c.plays, 0) as plays
    from hours as h
    left join counts as c on h.hour_start = c.hour_start
),

scored as (
    select
        *,
        avg(plays) over by_hour                             as expected_plays,
        -- stddev_samp from exact integer sums (n·Σx² − (Σx)²) / (n·(n − 1)):
        -- the same in every build, whatever order the rows come in.
        sqrt((count(*) over by_hour * sum(plays * plays) over by_hour
              - sum(plays) over by_hour * sum(plays) over by_hour)
             / (count(*) over by_hour * (count(*) over by_hour - 1)))  as stddev_plays
    from hourly
    window by_hour as (partition by hour_of_day)
)

select
    hour_start,
    hour_of_day,
    plays,
    round(expected_plays, 2)                                              as expected_plays,
    round(stddev_plays, 2)                                                as stddev_plays,
    case when stddev_plays > 0 then round((plays - expected_plays) / stddev_plays, 3) end as z_score,
    coalesce(abs(plays - expected_plays) > 2 * stddev_plays, false)      as is_anomaly
from scored
