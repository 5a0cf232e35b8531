-- Question 1: what is trending now. Plays in the last N days (as of the newest
-- data) against the N days before; the score rewards growth but damps tiny counts.
with bounds as (
    select max(date_key) as as_of_date from {{ ref('fct_plays') }}
),

per_track as (
    select
        f.track_id,
        count(*) filter (where f.date_key > b.as_of_date - {{ var('trending_window_days', 7) }})  as plays_recent,
        count(*) filter (where f.date_key <= b.as_of_date - {{ var('trending_window_days', 7) }}) as plays_previous,
        count(distinct f.user_id) filter (where f.date_key > b.as_of_date - {{ var('trending_window_days', 7) }}) as listeners_recent
    from {{ ref('fct_plays') }} as f, bounds as b
    where f.date_key > b.as_of_date - 2 * {{ var('trending_window_days', 7) }}
    group by f.track_id
),

scored as (
    select
        *,
        (plays_recent - plays_previous) / sqrt(plays_previous + 10.0) as trend_score
    from per_track
    where plays_recent > 0
)

select
    b.as_of_date,
    row_number() over (order by s.trend_score desc, s.plays_recent desc, s.track_id) as rank,
    s.track_id,
    t.track_name,
    t.artist_name,
    t.genre,
    t.release_date,
    s.plays_recent,
    s.plays_previous,
    s.listeners_recent,
    case when s.plays_previous = 0 then null
         else round(100.0 * (s.plays_recent - s.plays_previous) / s.plays_previous, 1) end as growth_pct,
    round(s.trend_score, 3) as trend_score
from scored as s
cross join bounds as b
join {{ ref('dim_tracks') }} as t on s.track_id = t.track_id
qualify rank <= 100
