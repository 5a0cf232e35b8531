select track_name, artist_name, plays_recent, coalesce(growth_pct::varchar || '%', 'new')
from {{ ref('trending_tracks') }}
order by rank
limit 5
