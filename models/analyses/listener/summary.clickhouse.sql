-- The longest streak from the sorted active days: days in one run share
-- day number minus position (18.16 has no window functions).
select
    {user} as user_id, plays, listening_hours, skips, skip_rate_pct, artists,
    toInt64(length(days)) as active_days,
    toInt64(longest) as longest_streak_days,
    if(at = 0, NULL, toString(days[at])) as streak_from,
    if(at = 0, NULL, toString(days[at + longest - 1])) as streak_to
from (
    select *, arrayFirstIndex(x -> x = longest, lengths) as at
    from (
        select *, if(empty(lengths), 0, arrayReduce('max', lengths)) as longest
        from (
            select *, arrayMap(x -> arrayCount(y -> y = x, runs), runs) as lengths
            from (
                select *,
                    arrayMap((d, i) -> toInt64(toUInt32(d)) - i, days, arrayEnumerate(days)) as runs
                from (
                    select
                        toInt64(count()) as plays,
                        {{ ch_round('ifNull(sum(ms_played), 0) / 3600000.0', 1) }} as listening_hours,
                        countIf(ifNull(skipped, 0) = 1) as skips,
                        {{ ch_round('100.0 * countIf(ifNull(skipped, 0) = 1) / nullIf(count(), 0)', 1) }} as skip_rate_pct,
                        ifNull(uniqExact(artist_id), 0) as artists,
                        arraySort(groupUniqArray(local_date)) as days
                    from {{ ch_listener_plays() }}
                )
            )
        )
    )
)
