select weekday_name, local_hour || ':00', plays
from {{ ref('hourly_activity') }}
order by plays desc
limit 3
