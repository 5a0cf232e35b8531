-- The level values, most played first.
select level as v
from {{ ref('agg_listener_days') }}
group by level
order by sum(plays) desc, level
