-- Question 2: engagement by country, region and city (one row per place at
-- each grain: geo_level = country | region | city), with 7-day growth.
-- Read from the agg_listener_days cube (exact: listeners are counted distinct
-- on its user key), a sixteenth of fct_plays' rows.
with cube as (
    select * from {{ ref('agg_listener_days') }}
),

bounds as (
    select max(date_key) as as_of_date from cube
),

-- One row per listener and place first, on the cube's integer keys, then the
-- place's names from dim_regions: the cube has one row per listener and day,
-- and counting listeners distinct at the three grains over those rows took
-- 0.13-0.21 s of a run; grouped by the names first 0.10-0.12 s, by the keys
-- 0.066-0.08 s (the benchmark).
listener_places as (
    select
        c.region_key,
        c.user_key,
        sum(c.plays)                                                   as plays,
        sum(c.ms_played)                                               as ms_played,
        sum(c.plays) filter (where c.date_key > b.as_of_date - 7)      as plays_last_7d,
        sum(c.plays) filter (where c.date_key <= b.as_of_date - 7
                               and c.date_key > b.as_of_date - 14)     as plays_previous_7d
    from cube as c
    cross join bounds as b
    group by c.region_key, c.user_key
),

named as (
    select r.country, r.region, r.region_name, r.city, l.*
    from listener_places as l
    join {{ ref('dim_regions') }} as r using (region_key)
),

grouped as (
    select
        case when grouping(region) = 1 then 'country'
             when grouping(city) = 1 then 'region'
             else 'city' end                        as geo_level,
        country,
        region,
        case when grouping(region) = 0 then any_value(region_name) end as region_name,
        city,
        sum(plays)::bigint                          as plays,
        count(distinct user_key)                    as listeners,
        sum(ms_played) / 3600000.0                  as listening_hours,
        coalesce(sum(plays_last_7d), 0)::bigint     as plays_last_7d,
        coalesce(sum(plays_previous_7d), 0)::bigint as plays_previous_7d
    from named
    group by grouping sets ((country), (country, region), (country, region, city))
)

select
    *,
    round(100.0 * plays / sum(plays) over (partition by geo_level), 2) as plays_share_pct,
    case when plays_previous_7d = 0 then null
         else round(100.0 * (plays_last_7d - plays_previous_7d) / plays_previous_7d, 1) end as growth_pct
from grouped
