-- Per local month: music plays, skips, hours, and the artists first played
-- (over all of the listener's plays) that month; spoken hours per UTC month.
{{ listener_plays() }},
firsts as (
    select artist_key, min(local_date) as first_day
    from {{ ref('fct_plays') }}
    where user_id = {user}
    group by artist_key
),
music as (
    select strftime(local_date, '%Y-%m') as month, count(*) as plays,
        count(*) filter (where skipped) as skips, sum(ms_played) as ms_played,
        count(distinct artist_key) filter (where local_date = f.first_day) as new_artists
    from mine join firsts f using (artist_key)
    group by 1
),
spoken as (
    select strftime(date_key, '%Y-%m') as month, sum(ms_played) as ms_played
    from {{ ref('fct_episode_plays') }}
    where user_id = {user} and {filters_except_level(date_key)}
    group by 1
)
select
    month, coalesce(m.plays, 0) as plays, coalesce(m.skips, 0) as skips,
    coalesce(m.new_artists, 0) as new_artists,
    round(coalesce(m.ms_played, 0) / 3600000.0, 2) as music_hours,
    round(coalesce(s.ms_played, 0) / 3600000.0, 2) as spoken_hours
from music m
full join spoken s using (month)
order by month
