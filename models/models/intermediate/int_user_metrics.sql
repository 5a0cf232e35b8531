{{ config(materialized='table') }}
-- A table, not a view: its unique/not_null tests and user_engagement each
-- re-ran the window over every play when it was a view.
-- One row per listener: activity totals and level changes over the data.
with plays as (
    select user_id, played_at, level, ms_played, skipped, session_id from {{ ref('stg_plays') }}
),

totals as (
    select
        user_id,
        min(played_at)                               as first_played_at,
        max(played_at)                               as last_played_at,
        arg_max(level, played_at)                    as current_level,
        count(*)                                     as plays,
        count(distinct session_id)                   as sessions,
        sum(ms_played) / 3600000.0                   as listening_hours,
        avg(case when skipped then 1.0 else 0.0 end) as skip_rate
    from plays
    group by user_id
),

changes as (
    select
        user_id,
        count(*) filter (where previous_level = 'free' and level = 'paid') as upgrades,
        count(*) filter (where previous_level = 'paid' and level = 'free') as downgrades
    from {{ ref('int_level_changes') }}
    group by user_id
)

select
    t.*,
    coalesce(c.upgrades, 0)   as upgrades,
    coalesce(c.downgrades, 0) as downgrades
from totals as t
left join changes as c on t.user_id = c.user_id
