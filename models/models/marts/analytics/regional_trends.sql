-- Question 2: engagement by country, region and city (one row per place at
-- each grain: geo_level = country | region | city), with 7-day growth.
with bounds as (
    select max(date_key) as as_of_date from {{ ref('fct_plays') }}
),

plays as (
    select
        f.user_id,
        f.ms_played,
        f.date_key > b.as_of_date - 7                               as is_recent,
        f.date_key <= b.as_of_date - 7 and f.date_key > b.as_of_date - 14 as is_previous,
        r.country,
        r.region,
        r.city
    from {{ ref('fct_plays') }} as f
    join {{ ref('dim_regions') }} as r on f.region_key = r.region_key
    cross join bounds as b
),

grouped as (
    select
        case when grouping(region) = 1 then 'country'
             when grouping(city) = 1 then 'region'
             else 'city' end                        as geo_level,
        country,
        region,
        city,
        count(*)                                    as plays,
        count(distinct user_id)                     as listeners,
        sum(ms_played) / 3600000.0                  as listening_hours,
        count(*) filter (where is_recent)           as plays_last_7d,
        count(*) filter (where is_previous)         as plays_previous_7d
    from plays
    group by grouping sets ((country), (country, region), (country, region, city))
)

select
    *,
    round(100.0 * plays / sum(plays) over (partition by geo_level), 2) as plays_share_pct,
    case when plays_previous_7d = 0 then null
         else round(100.0 * (plays_last_7d - plays_previous_7d) / plays_previous_7d, 1) end as growth_pct
from grouped
