{{ config(materialized='incremental', unique_key=['user_id', 'session_id']) }}
-- A session is a run of plays by one user under one session id.
--
-- Incremental: a run aggregates the plays loaded since the last one, adds the
-- stored row of each session they continue (a session that crosses midnight
-- spans two daily files) and replaces those sessions (delete+insert on user
-- and session id). Every column combines exactly: counts and sums add, start
-- and end are the extremes, and the level and device at the start (end) come
-- from the part with the earliest start (latest play).
with new_plays as (
    select
        user_id,
        coalesce(session_id, 'none') as session_id,
        played_at,
        ms_played,
        skipped,
        level,
        device,
        loaded_at
    from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
    {% endif %}
),

parts as (
    select
        user_id,
        session_id,
        min(played_at)                                      as session_start,
        max(played_at + to_milliseconds(ms_played))         as session_end,
        max(played_at)                                      as last_played_at,
        count(*)                                            as plays,
        sum(ms_played)                                      as ms_played,
        count(*) filter (where skipped)                     as skipped_plays,
        arg_min(level, played_at)                           as level_at_start,
        arg_max(level, played_at)                           as level_at_end,
        arg_min(device, played_at)                          as device,
        max(loaded_at)                                      as loaded_at
    from new_plays
    group by user_id, session_id
    {% if is_incremental() %}
    union all
    select
        s.user_id, s.session_id, s.session_start, s.session_end, s.last_played_at, s.plays,
        s.ms_played, s.skipped_plays, s.level_at_start, s.level_at_end, s.device, s.loaded_at
    from {{ this }} as s
    semi join (select distinct user_id, session_id from new_plays) as n
        on s.user_id = n.user_id and s.session_id = n.session_id
    {% endif %}
)

select
    user_id,
    session_id,
    min(session_start)                                  as session_start,
    max(session_end)                                    as session_end,
    max(last_played_at)                                 as last_played_at,
    sum(plays)::bigint                                  as plays,
    sum(ms_played)::bigint                              as ms_played,
    sum(skipped_plays)::bigint                          as skipped_plays,
    arg_min(level_at_start, session_start)              as level_at_start,
    arg_max(level_at_end, last_played_at)               as level_at_end,
    arg_min(device, session_start)                      as device,
    max(loaded_at)                                      as loaded_at
from parts
group by user_id, session_id
