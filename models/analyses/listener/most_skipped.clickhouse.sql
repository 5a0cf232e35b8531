select any(track_name) as track_name, any(artist_name) as artist_name,
    countIf(ifNull(skipped, 0) = 1) as skips, count() as plays
from {{ ch_listener_plays() }}
group by track_id
having skips > 0
order by skips desc, plays desc, track_id
limit 10
