select local_hour as hour, count() as plays, {{ ch_round('sum(ms_played) / 3600000.0', 2) }} as hours
from {{ ch_listener_plays() }}
group by local_hour
order by local_hour
