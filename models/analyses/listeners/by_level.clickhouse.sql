select
    level, listeners, toInt64(total_plays) as plays, toInt64(total_sessions) as sessions,
    {{ ch_round('total_ms / 3600000.0', 1) }} as listening_hours,
    {{ ch_round('skips * 100.0 / total_plays', 1) }} as skip_rate_pct
from (
    select level, ifNull(uniqExact(user_key), 0) as listeners, sum(plays) as total_plays,
        sum(sessions) as total_sessions, sum(ms_played) as total_ms, sum(skipped_plays) as skips
    from {{ ref('agg_listener_days') }}
    where {filters(date_key)}
    group by level
)
order by level
