select
    toString(week_start) as week_start, rank, artist_name, genre, plays, previous_rank,
    rank_change, {{ ch_bool('is_new_entry') }} as is_new_entry
from (
    select * from {{ ref('artist_ranking') }}
    where week_start = (select max(week_start) from {{ ref('artist_ranking') }} where {dates(week_start)})
)
order by rank
limit 20
