{{ config(materialized='incremental', unique_key='date_key') }}
-- Plays per UTC day and track, over all listeners: the dashboard's top tracks
-- when no country, device or level filter is set (agg_track_slices otherwise).
with plays as (
    select date_key, track_id, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- Only the days that gained plays since this table's latest loaded_at.
    where date_key in (
        select date_key from {{ ref('fct_plays') }}
        where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
    )
    {% endif %}
),

tracks as (
    select track_id, track_key from {{ ref('dim_tracks') }}
)

select
    p.date_key,
    t.track_key,
    count(*)::integer    as plays,
    max(p.loaded_at)     as loaded_at
from plays as p
join tracks as t on p.track_id = t.track_id
group by p.date_key, t.track_key
order by p.date_key
