{{ config(materialized='table') }}
-- A table, not a view: its unique/not_null tests and user_engagement each
-- re-ran the window over every play when it was a view.
-- One row per listener: activity totals and level changes over the data.
with plays as (
    select user_id, played_at, level, ms_played, skipped, session_id from {{ ref('stg_plays') }}
),

level_changes as (
    select
        user_id,
        level,
        lag(level) over (partition by user_id order by played_at) as previous_level
    from plays
),

changes as (
    select
        user_id,
        count(*) filter (where previous_level = 'free' and level = 'paid') as upgrades,
        count(*) filter (where previous_level = 'paid' and level = 'free') as downgrades
    from level_changes
    group by user_id
)

select
    p.user_id,
    min(p.played_at)                                     as first_played_at,
    max(p.played_at)                                     as last_played_at,
    arg_max(p.level, p.played_at)                        as current_level,
    count(*)                                             as plays,
    count(distinct p.session_id)                         as sessions,
    sum(p.ms_played) / 3600000.0                         as listening_hours,
    avg(case when p.skipped then 1.0 else 0.0 end)       as skip_rate,
    any_value(c.upgrades)                                as upgrades,
    any_value(c.downgrades)                              as downgrades
from plays as p
left join changes as c on p.user_id = c.user_id
group by p.user_id
