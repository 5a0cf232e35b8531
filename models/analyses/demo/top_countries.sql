select country, count(*) as plays
from {{ ref('fct_plays') }}
group by all
order by plays desc
limit 5
