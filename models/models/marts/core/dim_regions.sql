-- Where listeners are: country, region, city, with the time zone plays there use.
-- The "unknown" member catches plays with no location.
with places as (
    select
        coalesce(country, 'unknown') || '|' || coalesce(region, '') || '|' || coalesce(city, '') as region_key,
        coalesce(country, 'unknown') as country,
        region,
        city,
        arg_max(timezone, played_at) as timezone
    from {{ ref('stg_plays') }}
    group by all
),

unknown as (
    select 'unknown||' as region_key, 'unknown' as country, null as region, null as city, 'UTC' as timezone
)

select * from places
union all
select * from unknown where region_key not in (select region_key from places)
