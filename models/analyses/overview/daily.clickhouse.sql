-- The 7-day average over the days sorted in an array (18.16 has no window functions).
select
    tupleElement(d, 1) as date, tupleElement(d, 2) as plays, tupleElement(d, 3) as listeners,
    tupleElement(d, 4) as listening_hours,
    {{ ch_round('arraySum(arrayMap(x -> ifNull(tupleElement(x, 2), 0), arraySlice(days, greatest(1, i - 6), least(i, 7)))) / least(i, 7)', 1) }} as plays_7d_avg
from (
    select arraySort(groupArray((date, plays, listeners, listening_hours))) as days
    from (
        select
            toString(date_key) as date,
            toInt64(sum(plays)) as plays,
            ifNull(uniqExact(user_key), 0) as listeners,
            {{ ch_round('sum(ms_played) / 3600000.0', 1) }} as listening_hours
        from {{ ref('agg_listener_days') }}
        where {filters(date_key)}
        group by date_key
    )
)
array join days as d, arrayEnumerate(days) as i
order by date
