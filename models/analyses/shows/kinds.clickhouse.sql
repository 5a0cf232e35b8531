select kind, toInt64(sum(plays)) as plays, {{ ch_round('sum(listening_hours)', 1) }} as listening_hours
from {{ ref('listening_by_kind') }}
where {dates(date_key)}
group by kind
order by listening_hours desc, kind
