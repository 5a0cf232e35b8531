{{ config(materialized='table') }}
-- A table, not a view: its unique/not_null tests and user_engagement each
-- re-ran the window over every play when it was a view.
-- One row per listener: activity totals and level changes over the data.
with plays as (
    select user_id, played_at, level, ms_played, skipped, session_id from {{ ref('stg_plays') }}
),

-- One window pass: each play with the level of the listener's play before it.
with_previous as (
    select
        *,
        lag(level) over (partition by user_id order by played_at) as previous_level
    from plays
)

select
    user_id,
    min(played_at)                                                      as first_played_at,
    max(played_at)                                                      as last_played_at,
    arg_max(level, played_at)                                           as current_level,
    count(*)                                                            as plays,
    count(distinct session_id)                                          as sessions,
    sum(ms_played) / 3600000.0                                          as listening_hours,
    avg(case when skipped then 1.0 else 0.0 end)                        as skip_rate,
    count(*) filter (where previous_level = 'free' and level = 'paid')  as upgrades,
    count(*) filter (where previous_level = 'paid' and level = 'free')  as downgrades
from with_previous
group by user_id
