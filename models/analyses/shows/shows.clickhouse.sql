select
    kind, show_id, argMax(show_name, played_at) as show_name, count() as plays,
    ifNull(uniqExact(user_id), 0) as listeners, ifNull(uniqExact(episode_id), 0) as episodes,
    {{ ch_round('sum(ms_played) / 3600000.0', 2) }} as listening_hours,
    {{ ch_round('100.0 * countIf(ifNull(skipped, 0) = 1) / count()', 1) }} as skip_rate_pct
from {{ ref('fct_episode_plays') }}
where {filters_except_level(date_key)}
group by kind, show_id
order by listening_hours desc, plays desc, show_id
limit 25
