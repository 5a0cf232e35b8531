select toString(date_key) as date, kind, plays, {{ ch_round('listening_hours', 2) }} as listening_hours
from {{ ref('listening_by_kind') }}
where {dates(date_key)}
order by date_key, kind
