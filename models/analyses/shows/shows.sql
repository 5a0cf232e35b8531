-- Podcast plays carry no level: every filter but level applies.
select
    kind, show_id, arg_max(show_name, played_at) as show_name, count(*) as plays,
    count(distinct user_id) as listeners, count(distinct episode_id) as episodes,
    round(sum(ms_played) / 3600000.0, 2) as listening_hours,
    round(100.0 * count(*) filter (where skipped) / count(*), 1) as skip_rate_pct
from {{ ref('fct_episode_plays') }}
where {filters_except_level(date_key)}
group by kind, show_id
order by listening_hours desc, plays desc, show_id
limit 25
