-- Question 5: which genres gain popularity, week over week.
with weekly as (
    select week_start, genre, plays, listeners from {{ ref('agg_genre_weeks') }}
),

with_previous as (
    select
        *,
        lag(plays) over (partition by genre order by week_start)      as previous_week_plays,
        lag(week_start) over (partition by genre order by week_start) as previous_week_start
    from weekly
)

select
    week_start,
    genre,
    plays,
    listeners,
    round(100.0 * plays / sum(plays) over (partition by week_start), 2)  as plays_share_pct,
    case when previous_week_start = week_start - 7 then previous_week_plays end as previous_week_plays,
    case when previous_week_start = week_start - 7 and previous_week_plays > 0
         then round(100.0 * (plays - previous_week_plays) / previous_week_plays, 1) end as wow_growth_pct
from with_previous
