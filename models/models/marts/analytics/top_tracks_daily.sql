{{ config(materialized='incremental', unique_key='play_date') }}
-- Question 1: the top 50 tracks of each day (UTC), by plays.
--
-- Listeners (a distinct count) are counted only for each day's candidates:
-- the tracks with at least as many plays as the day's 50th track, read from
-- the agg_track_days cube. No other track can rank in the top 50, and the
-- distinct count over every (day, track) of the fact was this model's cost.
--
-- Incremental by day: a run ranks again only the days whose plays changed
-- since its last one (loaded_at, from the cube) and keeps the ranking of the
-- others, but every day takes its track names from dim_tracks as it is now,
-- as a full refresh would (new plays rename tracks on most days): the
-- ranking is the costly part, the names are a join of 50 rows a day.
with days as (
    select date_key, max(loaded_at) as loaded_at
    from {{ ref('agg_track_days') }}
    {% if is_incremental() %}
    where {{ loaded_since_this() }}
    {% endif %}
    group by date_key
),

day_tracks as (
    select date_key, track_key, plays
    from {{ ref('agg_track_days') }}
    where date_key in (select date_key from days)
),

ranked_by_plays as (
    select
        date_key,
        plays,
        row_number() over (partition by date_key order by plays desc) as position
    from day_tracks
),

thresholds as (
    select date_key, min(plays) as plays
    from ranked_by_plays
    where position <= 50
    group by date_key
),

candidates as (
    select c.date_key, c.track_key, t.track_id
    from day_tracks as c
    join thresholds as h on c.date_key = h.date_key and c.plays >= h.plays
    join {{ ref('dim_tracks') }} as t on c.track_key = t.track_key
),

daily as (
    select
        f.date_key                      as play_date,
        c.track_id,
        count(*)                        as plays,
        count(distinct f.user_key)      as listeners,
        sum(f.ms_played) / 3600000.0    as listening_hours
    from {{ ref('fct_plays') }} as f
    join candidates as c on f.date_key = c.date_key and f.track_key = c.track_key
    where f.date_key in (select date_key from days)
    group by f.date_key, c.track_id
),

ranked as (
    select
        *,
        row_number() over (partition by play_date order by plays desc, listeners desc, track_id) as rank
    from daily
),

rankings as (
    select r.play_date, r.rank, r.track_id, r.plays, r.listeners, r.listening_hours, d.loaded_at
    from ranked as r
    join days as d on r.play_date = d.date_key
    where r.rank <= 50
    {% if is_incremental() %}
    union all
    select play_date, rank, track_id, plays, listeners, listening_hours, loaded_at
    from {{ this }}
    where play_date not in (select date_key from days)
    {% endif %}
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
    r.listening_hours,
    r.loaded_at
from rankings as r
join {{ ref('dim_tracks') }} as t on r.track_id = t.track_id
