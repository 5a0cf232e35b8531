-- Totals and the longest run of consecutive local days with plays (gaps and islands).
{{ listener_plays() }},
days as (select distinct local_date from mine),
islands as (
    select local_date, local_date - cast(row_number() over (order by local_date) as integer) as island
    from days
),
streak as (
    select count(*) as days, min(local_date) as first_day, max(local_date) as last_day
    from islands group by island order by days desc, first_day limit 1
)
select
    {user} as user_id,
    (select count(*) from mine) as plays,
    (select round(coalesce(sum(ms_played), 0) / 3600000.0, 1) from mine) as listening_hours,
    (select count(*) filter (where skipped) from mine) as skips,
    (select round(100.0 * count(*) filter (where skipped) / nullif(count(*), 0), 1) from mine) as skip_rate_pct,
    (select count(distinct artist_id) from mine) as artists,
    (select count(*) from days) as active_days,
    coalesce((select days from streak), 0) as longest_streak_days,
    (select first_day::varchar from streak) as streak_from,
    (select last_day::varchar from streak) as streak_to
