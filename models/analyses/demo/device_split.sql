select device, round(100.0 * count(*) / sum(count(*)) over (), 1) || '%'
from {{ ref('fct_plays') }}
group by all
order by count(*) desc
