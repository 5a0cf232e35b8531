-- Question 6: the most popular artists each week and how their rank moved.
with weekly as (
    select w.week_start, a.artist_id, a.artist_name, a.genre, w.plays, w.listeners
    from {{ ref('agg_artist_weeks') }} as w
    join {{ ref('dim_artists') }} as a on w.artist_key = a.artist_key
),

ranked as (
    select *, row_number() over (partition by week_start order by plays desc, listeners desc, artist_id) as rank
    from weekly
),

with_previous as (
    select
        r.*,
        p.rank as previous_rank
    from ranked as r
    left join ranked as p on p.artist_id = r.artist_id and p.week_start = r.week_start - 7
)

select
    w.week_start,
    w.rank,
    w.artist_id,
    w.artist_name,
    w.genre,
    w.plays,
    w.listeners,
    w.previous_rank,
    w.previous_rank - w.rank        as rank_change,
    w.previous_rank is null         as is_new_entry
from with_previous as w
where w.rank <= 100
