{{ config(materialized='incremental', unique_key='date_key') }}
-- Plays per UTC day and track, over all listeners: the dashboard's top tracks
-- when no country, device or level filter is set (agg_track_slices otherwise).
with plays as (
    select date_key, track_id, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    where date_key in ({{ fct_plays_days_loaded_since_this() }})
    {% endif %}
)

select
    p.date_key,
    -- dim_tracks' track_key, which is hash(track_id) by its definition:
    -- computed here, not joined, so the cube needs only the fact (every
    -- fact track_id is in dim_tracks, as its relationships test checks).
    hash(p.track_id)     as track_key,
    count(*)::integer    as plays,
    max(p.loaded_at)     as loaded_at
from plays as p
group by p.date_key, hash(p.track_id)
order by p.date_key
