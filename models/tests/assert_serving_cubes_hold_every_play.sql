-- The dashboard's cubes add up to the fact, day by day: no play is lost or
-- counted twice by the pre-aggregation.
with facts as (
    select date_key, count(*) as plays from {{ ref('fct_plays') }} group by date_key
),

cubes as (
    select date_key, sum(plays) as plays, 'agg_listener_days' as cube
    from {{ ref('agg_listener_days') }} group by date_key
    union all
    select date_key, sum(plays), 'agg_track_days' from {{ ref('agg_track_days') }} group by date_key
    union all
    select date_key, sum(plays), 'agg_track_slices' from {{ ref('agg_track_slices') }} group by date_key
    union all
    select date_key, sum(plays), 'agg_local_hours' from {{ ref('agg_local_hours') }} group by date_key
)

select c.cube, c.date_key, c.plays as cube_plays, f.plays as fact_plays
from cubes as c
full outer join facts as f on c.date_key = f.date_key
where c.plays is distinct from f.plays
