{{ config(materialized='incremental', unique_key='user_id') }}
-- The plays where a listener's level differs from their play before (their
-- first play included): a window pass over the plays, shared by dim_users
-- (level periods) and int_user_metrics (upgrades and downgrades). Plays are
-- ordered by time, then play id, so the result does not depend on scan order.
-- Each row also carries its listener's latest play (last_played_at,
-- last_play_id) and the latest loaded_at of their plays.
--
-- Incremental by listener, exactly: a run recomputes each listener's changes
-- from their earliest new play (loaded since the last run) on, over their
-- plays from that play on, starting from the level in effect just before it
-- (that of their latest stored change before it: a change row is a play whose
-- level differs from the one before). Their stored changes before it are kept.
-- For a listener whose new plays all come after their latest play that is the
-- new plays only; a late play reaches back as far as it is late, so the scan
-- of the fact starts at the earliest such play and skips the row groups
-- loaded before it (reading every play for the few late listeners of a
-- minute of plays took 0.8 s of the run on the benchmark). The listener's
-- rows are then replaced (delete+insert on user_id).
with {% if is_incremental() %}new_plays as (
    select user_id, user_key, play_id, played_at
    from {{ ref('fct_plays') }}
    where {{ loaded_since_this() }} and user_id <> 'unknown'
),

starts as (
    select user_id, min(played_at) as start_at, arg_min(play_id, (played_at, play_id)) as start_id
    from new_plays
    group by user_id
),

stored as (
    select s.*, (s.played_at, s.play_id) < (t.start_at, t.start_id) as before_start
    from {{ this }} as s
    join starts as t using (user_id)
),

plays as (
    select p.user_id, p.play_id, p.played_at, p.level, p.loaded_at, false as is_stored
    -- The new plays' listeners' plays first, by their integer key, then the
    -- join by the text id: after 10,000 plays on the benchmark the model took
    -- 0.11 s with the text join alone, 0.07-0.1 s this way.
    from (
        select * from {{ ref('fct_plays') }}
        semi join (select distinct user_key from new_plays) using (user_key)
    ) as p
    join starts as t using (user_id)
    where p.played_at >= (select min(start_at) from starts)
        -- (played_at, play_id) >= (start_at, start_id), spelled out: as a
        -- row comparison the join built two structs per probed play.
        and p.played_at >= t.start_at
        and (p.played_at > t.start_at or p.play_id >= t.start_id)
    union all
    -- The level in effect just before the start: the latest stored change before it.
    select user_id, play_id, played_at, level, loaded_at, true as is_stored
    from stored
    where before_start
    qualify row_number() over (partition by user_id order by played_at desc, play_id desc) = 1
),
{% else %}-- A listener with one level all along changed only at their first play: the
-- window runs over the plays of the others only (7% of the benchmark's
-- listeners, 2.2x faster), and the rest get their row from a group by.
listeners as (
    select
        user_id,
        min(level) = max(level)                         as one_level,
        min(level)                                      as level,
        min({'at': played_at, 'id': play_id})           as first_play,
        max({'at': played_at, 'id': play_id})           as last_play,
        max(loaded_at)                                  as loaded_at
    from {{ ref('fct_plays') }}
    where user_id <> 'unknown'
    group by user_id
),

plays as (
    select user_id, play_id, played_at, level, loaded_at, false as is_stored
    from {{ ref('fct_plays') }}
    where user_id in (select user_id from listeners where not one_level)
),
{% endif %}

with_previous as (
    select
        user_id,
        play_id,
        played_at,
        level,
        is_stored,
        lag(level) over by_time                                            as previous_level,
        max(played_at) over by_listener                                    as last_played_at,
        last_value(play_id) over (by_time rows between unbounded preceding and unbounded following) as last_play_id,
        max(loaded_at) over by_listener                                    as loaded_at
    from plays
    window
        by_listener as (partition by user_id),
        by_time as (partition by user_id order by played_at, play_id)
),

changes as (
    select user_id, play_id, played_at, level, previous_level, last_played_at, last_play_id, loaded_at
    from with_previous
    where not is_stored and level is distinct from previous_level
)

select * from changes
union all
{% if is_incremental() %}
-- The stored changes before the start, with the listener's latest play and loaded_at.
select s.user_id, s.play_id, s.played_at, s.level, s.previous_level, m.last_played_at, m.last_play_id, m.loaded_at
from stored as s
join (
    select user_id, any_value(last_played_at) as last_played_at, any_value(last_play_id) as last_play_id,
        any_value(loaded_at) as loaded_at
    from with_previous group by user_id
) as m on s.user_id = m.user_id
where s.before_start
{% else %}
select user_id, first_play.id, first_play.at, level, null, last_play.at, last_play.id, loaded_at
from listeners
where one_level
{% endif %}
