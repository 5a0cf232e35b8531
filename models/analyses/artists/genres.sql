select week_start::varchar as week_start, genre, plays, plays_share_pct, wow_growth_pct
from {{ ref('genre_trends') }}
where {dates(week_start)}
order by week_start, genre
