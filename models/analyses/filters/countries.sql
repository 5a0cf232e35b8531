-- The country values, most played first.
select country as v
from {{ ref('agg_listener_days') }}
group by country
order by sum(plays) desc, country
