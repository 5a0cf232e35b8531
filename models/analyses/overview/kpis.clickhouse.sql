-- Summed under other names first: ClickHouse reads `plays` anywhere in a
-- SELECT as its alias once one is named so.
select
    toInt64(ifNull(total_plays, 0)) as plays,
    listeners,
    {{ ch_round('ifNull(total_ms, 0) / 3600000.0', 1) }} as listening_hours,
    {{ ch_round('skips * 100.0 / total_plays', 1) }} as skip_rate_pct
from (
    select sum(plays) as total_plays, ifNull(uniqExact(user_key), 0) as listeners,
        sum(ms_played) as total_ms, sum(skipped_plays) as skips
    from {{ ref('agg_listener_days') }}
    where {filters(date_key)}
)
