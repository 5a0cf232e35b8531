-- Filtered in a subquery: ClickHouse reads a name in WHERE as the SELECT's
-- alias of that name (here the week as text) before the column.
select toString(week_start) as week_start, genre, plays, plays_share_pct, wow_growth_pct
from (select * from {{ ref('genre_trends') }} where {dates(week_start)})
order by week_start, genre
