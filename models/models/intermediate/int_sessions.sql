{{ config(materialized='incremental', unique_key=['user_id', 'session_id']) }}
-- A session is a run of plays by one user under one session id.
--
-- Incremental: a run recomputes, from all of their plays, the sessions that
-- plays loaded since the last run belong to (a session that crosses midnight
-- spans two daily files), and replaces them (delete+insert on user and
-- session id). Recomputing rather than adding the new plays to the stored
-- totals keeps a session exact even when fct_plays was rebuilt alone and
-- hands every play over again. A session's plays start at its stored
-- session_start (or its first new play), so the scan of the fact starts at
-- the earliest of those and skips the row groups loaded before it (0.6 s of
-- a run after a minute of plays on the benchmark when it read every play).
with {% if is_incremental() %}touched as (
    select user_id, coalesce(session_id, 'none') as session_id, any_value(user_key) as user_key,
        min(played_at) as first_new
    from {{ ref('fct_plays') }}
    where {{ loaded_since_this() }}
    -- Not by user_key too: DuckDB then expected more sessions and joined the
    -- stored ones below the other way round (0.065 s instead of 0.011 s).
    group by user_id, coalesce(session_id, 'none')
),

earliest as (
    select min(least(t.first_new, s.session_start)) as played_at
    from touched as t
    left join {{ this }} as s using (user_id, session_id)
),

{% endif %}plays as (
    select
        p.user_id,
        coalesce(p.session_id, 'none') as session_id,
        p.played_at,
        p.ms_played,
        p.skipped,
        p.level,
        p.device,
        p.loaded_at
    {% if is_incremental() %}
    -- The touched listeners' plays first, by their integer key (a small hash
    -- table probed with integers), then their sessions by the text ids. After
    -- 10,000 plays on the benchmark the model took 0.13-0.16 s with the text
    -- probe of every play since the earliest start, 0.08 s this way.
    from (
        select * from {{ ref('fct_plays') }}
        semi join (select distinct user_key from touched) using (user_key)
    ) as p
    semi join touched as t on p.user_id = t.user_id and coalesce(p.session_id, 'none') = t.session_id
    where p.played_at >= (select played_at from earliest)
    {% else %}
    from {{ ref('fct_plays') }} as p
    {% endif %}
)

select
    user_id,
    session_id,
    min(played_at)                                      as session_start,
    max(played_at + to_milliseconds(ms_played))         as session_end,
    max(played_at)                                      as last_played_at,
    count(*)                                            as plays,
    sum(ms_played)::bigint                              as ms_played,
    count(*) filter (where skipped)                     as skipped_plays,
    arg_min(level, played_at)                           as level_at_start,
    arg_max(level, played_at)                           as level_at_end,
    arg_min(device, played_at)                          as device,
    max(loaded_at)                                      as loaded_at
from plays
group by user_id, session_id
