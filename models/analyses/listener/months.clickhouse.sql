-- Music and spoken months side by side: the two summed by month (18.16 fills
-- a FULL JOIN's USING key with '' on the right side's rows).
select
    month, sum(plays) as plays, sum(skips) as skips, sum(new_artists) as new_artists,
    {{ ch_round('sum(music_ms) / 3600000.0', 2) }} as music_hours,
    {{ ch_round('sum(spoken_ms) / 3600000.0', 2) }} as spoken_hours
from (
    select
        substring(toString(local_date), 1, 7) as month, toInt64(count()) as plays,
        toInt64(countIf(ifNull(skipped, 0) = 1)) as skips,
        toInt64(ifNull(uniqExactIf(artist_key, local_date = first_day), 0)) as new_artists,
        toInt64(ifNull(sum(ms_played), 0)) as music_ms, toInt64(0) as spoken_ms
    from (
        select * from {{ ch_listener_plays() }}
        all inner join (
            select artist_key, min(local_date) as first_day
            from {{ ref('fct_plays') }}
            where user_id = {user}
            group by artist_key
        ) using (artist_key)
    )
    group by month
    union all
    select
        substring(toString(date_key), 1, 7) as month, toInt64(0), toInt64(0), toInt64(0),
        toInt64(0), toInt64(ifNull(sum(ms_played), 0))
    from {{ ref('fct_episode_plays') }}
    where user_id = {user} and {filters_except_level(date_key)}
    group by month
)
group by month
order by month
