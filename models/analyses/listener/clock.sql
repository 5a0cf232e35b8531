{{ listener_plays() }}
select local_hour as hour, count(*) as plays, round(sum(ms_played) / 3600000.0, 2) as hours
from mine
group by local_hour
order by local_hour
