select country, region, region_name, toInt64(sum(plays)) as plays
from {{ ref('agg_listener_days') }}
where {filters(date_key)}
group by country, region, region_name
order by plays desc, country, region
limit 1
