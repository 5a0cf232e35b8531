select
    device, platform, sum(plays)::bigint as plays, count(distinct user_key) as listeners,
    round(sum(skipped_plays) * 100.0 / sum(plays), 1) as skip_rate_pct,
    round(sum(ms_played) / sum(plays) / 1000.0, 1) as avg_seconds
from {{ ref('agg_listener_days') }}
where {filters(date_key)}
group by all
order by plays desc, device, platform
