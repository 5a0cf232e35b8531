select
    level, count(distinct user_key) as listeners, sum(plays)::bigint as plays,
    sum(sessions)::bigint as sessions, round(sum(ms_played) / 3600000.0, 1) as listening_hours,
    round(sum(skipped_plays) * 100.0 / sum(plays), 1) as skip_rate_pct
from {{ ref('agg_listener_days') }}
where {filters(date_key)}
group by level
order by level
