-- Question 1: the top 50 tracks of each day (UTC), by plays.
with daily as (
    select
        date_key                        as play_date,
        track_id,
        count(*)                        as plays,
        count(distinct user_id)         as listeners,
        sum(ms_played) / 3600000.0      as listening_hours
    from {{ ref('fct_plays') }}
    group by date_key, track_id
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
