-- The newest week's chart in the date range (all listeners).
select
    week_start::varchar as week_start, rank, artist_name, genre, plays, previous_rank,
    rank_change, is_new_entry
from {{ ref('artist_ranking') }}
where week_start = (select max(week_start) from {{ ref('artist_ranking') }} where {dates(week_start)})
order by rank
limit 20
