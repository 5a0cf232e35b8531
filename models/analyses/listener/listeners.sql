-- The listeners the page offers (all listeners, all time).
select user_id, plays, listening_hours
from {{ ref('user_engagement') }}
order by plays desc, user_id
limit 100
