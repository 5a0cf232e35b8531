select
    date_key::varchar as date,
    sum(plays)::bigint as plays,
    count(distinct user_key) as listeners,
    round(sum(ms_played) / 3600000.0, 1) as listening_hours,
    round(avg(sum(plays)) over (order by date_key rows between 6 preceding and current row), 1) as plays_7d_avg
from {{ ref('agg_listener_days') }}
where {filters(date_key)}
group by date_key
order by date_key
