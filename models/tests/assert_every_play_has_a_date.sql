-- Every play lands on a day of the calendar dimension.
select f.play_id
from {{ ref('fct_plays') }} as f
left join {{ ref('dim_date') }} as d on f.date_key = d.date_key
where d.date_key is null
