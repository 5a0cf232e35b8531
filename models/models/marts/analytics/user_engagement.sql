{{ config(materialized='incremental', unique_key='user_id') }}
-- Question 8: engagement per listener: sessions, listening time, skips, level changes.
--
-- Incremental by listener, as int_user_metrics: the listeners whose metrics
-- were loaded since this table's last run are recomputed and replaced.
with metrics as (
    select * from {{ ref('int_user_metrics') }}
    {% if is_incremental() %}
    where {{ loaded_since_this() }}
    {% endif %}
),

sessions as (
    select
        user_id,
        -- From integer microseconds: a sum of doubles depends on the order
        -- rows arrive in, and two builds could round 69.225 both ways.
        avg(epoch_us(session_end) - epoch_us(session_start)) / 60000000.0 as avg_session_minutes,
        avg(plays)                                       as avg_plays_per_session
    from {{ ref('int_sessions') }}
    {% if is_incremental() %}
    where user_id in (select user_id from metrics)
    {% endif %}
    group by user_id
)

select
    m.user_id,
    m.current_level,
    cast(m.first_played_at as date)                      as first_play_date,
    cast(m.last_played_at as date)                       as last_play_date,
    m.plays,
    m.sessions,
    round(m.listening_hours, 3)                          as listening_hours,
    round(s.avg_session_minutes, 2)                      as avg_session_minutes,
    round(s.avg_plays_per_session, 2)                    as avg_plays_per_session,
    round(m.skip_rate, 4)                                as skip_rate,
    m.upgrades,
    m.downgrades,
    m.loaded_at
from metrics as m
left join sessions as s on m.user_id = s.user_id
