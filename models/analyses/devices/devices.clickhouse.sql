select
    device, platform, toInt64(total_plays) as plays, listeners,
    {{ ch_round('skips * 100.0 / total_plays', 1) }} as skip_rate_pct,
    {{ ch_round('total_ms / total_plays / 1000.0', 1) }} as avg_seconds
from (
    select device, platform, sum(plays) as total_plays, ifNull(uniqExact(user_key), 0) as listeners,
        sum(skipped_plays) as skips, sum(ms_played) as total_ms
    from {{ ref('agg_listener_days') }}
    where {filters(date_key)}
    group by device, platform
)
order by plays desc, device, platform
