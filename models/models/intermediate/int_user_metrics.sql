{{ config(materialized='table') }}
-- One row per listener: activity totals and level changes over the data.
-- Built from int_sessions (a row per session, kept up to date incrementally)
-- rather than from every play: the same totals from a tenth of the rows.
-- Sessions without an id (session_id 'none') are not counted as sessions.
with sessions as (
    select * from {{ ref('int_sessions') }}
),

totals as (
    select
        user_id,
        min(session_start)                                  as first_played_at,
        max(last_played_at)                                 as last_played_at,
        arg_max(level_at_end, last_played_at)               as current_level,
        sum(plays)::bigint                                  as plays,
        count(*) filter (where session_id <> 'none')        as sessions,
        sum(ms_played) / 3600000.0                          as listening_hours,
        sum(skipped_plays) / sum(plays)                     as skip_rate
    from sessions
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
