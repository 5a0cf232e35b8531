-- Podcasts and audiobooks by listening: plays, listeners, hours, the episodes
-- heard and the skip rate of each show, ranked by hours within its kind.
with plays as (
    select * from {{ ref('fct_episode_plays') }}
),

shows as (
    select
        kind,
        show_id,
        arg_max(show_name, played_at)                    as show_name,
        count(*)                                         as plays,
        count(distinct user_id)                          as listeners,
        count(distinct episode_id)                       as episodes,
        sum(ms_played) / 3600000.0                       as listening_hours,
        avg(case when skipped then 1.0 else 0.0 end)     as skip_rate,
        min(played_at)                                   as first_played_at,
        max(played_at)                                   as last_played_at
    from plays
    group by kind, show_id
)

select
    row_number() over (partition by kind order by listening_hours desc, plays desc, show_id) as rank,
    *
from shows
