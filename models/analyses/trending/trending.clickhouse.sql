select
    toString(as_of_date) as as_of_date, rank, track_id, track_name, artist_name, genre,
    plays_recent, plays_previous, growth_pct, trend_score
from {{ ref('trending_tracks') }}
order by rank
limit 20
