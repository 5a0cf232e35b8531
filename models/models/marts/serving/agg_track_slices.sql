-- Plays per UTC day, track, country, device and level: the dashboard's top
-- tracks under any filter. Close to fct_plays in rows (tracks are many), but
-- narrow and keyed by integers, so a filtered top-N scans it quickly.
with plays as (
    select date_key, track_id, country, device, level from {{ ref('fct_plays') }}
),

tracks as (
    select track_id, track_key from {{ ref('dim_tracks') }}
)

select
    p.date_key,
    t.track_key,
    p.country,
    p.device,
    p.level,
    count(*)::integer    as plays
from plays as p
join tracks as t on p.track_id = t.track_id
group by p.date_key, t.track_key, p.country, p.device, p.level
order by p.date_key
