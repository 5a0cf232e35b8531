select local_weekday as weekday, local_hour as hour, sum(plays)::bigint as plays
from {{ ref('agg_local_hours') }}
where {filters(date_key)}
group by all
order by weekday, hour
