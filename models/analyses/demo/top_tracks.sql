select t.track_name, t.artist_name, count(*) as plays
from {{ ref('fct_plays') }} f
join {{ ref('dim_tracks') }} t using (track_key)
group by all
order by plays desc
limit 5
