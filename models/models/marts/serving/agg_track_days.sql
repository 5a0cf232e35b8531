-- Plays per UTC day and track, over all listeners: the dashboard's top tracks
-- when no country, device or level filter is set (agg_track_slices otherwise).
with plays as (
    select date_key, track_id from {{ ref('fct_plays') }}
),

tracks as (
    select track_id, track_key from {{ ref('dim_tracks') }}
)

select
    p.date_key,
    t.track_key,
    count(*)::integer    as plays
from plays as p
join tracks as t on p.track_id = t.track_id
group by p.date_key, t.track_key
order by p.date_key
