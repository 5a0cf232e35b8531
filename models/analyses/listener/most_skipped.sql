{{ listener_plays() }}
select any_value(track_name) as track_name, any_value(artist_name) as artist_name,
    count(*) filter (where skipped) as skips, count(*) as plays
from mine
group by track_id
having skips > 0
order by skips desc, plays desc, track_id
limit 10
