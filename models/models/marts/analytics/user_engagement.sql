-- Question 8: engagement per listener: sessions, listening time, skips, level changes.
with metrics as (
    select * from {{ ref('int_user_metrics') }}
),

sessions as (
    select
        user_id,
        -- From integer microseconds: a sum of doubles depends on the order
        -- rows arrive in, and two builds could round 69.225 both ways.
        avg(epoch_us(session_end) - epoch_us(session_start)) / 60000000.0 as avg_session_minutes,
        avg(plays)                                       as avg_plays_per_session
    from {{ ref('int_sessions') }}
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
    m.downgrades
from metrics as m
left join sessions as s on m.user_id = s.user_id
