-- Question 1: the top 50 tracks of each day (UTC), by plays.
--
-- Listeners (a distinct count) are counted only for each day's candidates:
-- the tracks with at least as many plays as the day's 50th track, read from
-- the agg_track_days cube. No other track can rank in the top 50, and the
-- distinct count over every (day, track) of the fact was this model's cost.
with ranked_by_plays as (
    select
        date_key,
        plays,
        row_number() over (partition by date_key order by plays desc) as position
    from {{ ref('agg_track_days') }}
),

thresholds as (
    select date_key, min(plays) as plays
    from ranked_by_plays
    where position <= 50
    group by date_key
),

candidates as (
    select c.date_key, t.track_id
    from {{ ref('agg_track_days') }} as c
    join thresholds as h on c.date_key = h.date_key and c.plays >= h.plays
    join {{ ref('dim_tracks') }} as t on c.track_key = t.track_key
),

daily as (
    select
        f.date_key                      as play_date,
        f.track_id,
        count(*)                        as plays,
        count(distinct f.user_id)       as listeners,
        sum(f.ms_played) / 3600000.0    as listening_hours
    from {{ ref('fct_plays') }} as f
    semi join candidates as c on f.date_key = c.date_key and f.track_id = c.track_id
    group by f.date_key, f.track_id
),

ranked as (
    select
        *,
        row_number() over (partition by play_date order by plays desc, listeners desc, track_id) as rank
    from daily
)

select
    r.play_date,
    r.rank,
    r.track_id,
    t.track_name,
    t.artist_name,
    t.genre,
    r.plays,
    r.listeners,
    r.listening_hours
from ranked as r
join {{ ref('dim_tracks') }} as t on r.track_id = t.track_id
where r.rank <= 50
