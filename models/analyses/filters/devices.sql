-- The device values, most played first.
select device as v
from {{ ref('agg_listener_days') }}
group by device
order by sum(plays) desc, device
