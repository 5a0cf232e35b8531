select local_weekday as weekday, local_hour as hour, toInt64(sum(plays)) as plays
from {{ ref('agg_local_hours') }}
where {filters(date_key)}
group by local_weekday, local_hour
order by weekday, hour
