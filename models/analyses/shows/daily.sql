select date_key::varchar as date, kind, plays, round(listening_hours, 2) as listening_hours
from {{ ref('listening_by_kind') }}
where {dates(date_key)}
order by date_key, kind
