select
    coalesce(sum(plays), 0)::bigint as plays,
    count(distinct user_key) as listeners,
    round(coalesce(sum(ms_played), 0) / 3600000.0, 1) as listening_hours,
    round(sum(skipped_plays) * 100.0 / sum(plays), 1) as skip_rate_pct
from {{ ref('agg_listener_days') }}
where {filters(date_key)}
