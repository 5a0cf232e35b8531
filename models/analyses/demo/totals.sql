select count(*), count(distinct user_id), round(sum(ms_played) / 3600000.0)
from {{ ref('fct_plays') }}
