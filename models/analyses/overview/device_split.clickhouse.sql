select device, toInt64(sum(plays)) as plays
from {{ ref('agg_listener_days') }}
where {filters(date_key)}
group by device
order by plays desc, device
