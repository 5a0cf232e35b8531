{{ config(materialized='incremental', unique_key='region_key') }}
-- Where listeners are: country, region, city, with the time zone of the
-- place's latest play. The "unknown" member catches plays with no location.
-- region is an ISO 3166-2 subdivision code, with or without its country
-- prefix (13 or JP-13); region_name is its ISO name (Tokyo), or the code
-- itself when ISO 3166-2 does not list it.
--
-- Incremental on the silver batches fct_plays loaded since this table's
-- latest loaded_at: a run reads only those batches' plays (the batch filter
-- reaches the Parquet scan), folds them into the stored places, and
-- restates the table (a few thousand rows) with the batches' loaded_at, so
-- the mark moves on every run that loads plays.
with {% if is_incremental() %}new_batches as ({{ fct_plays_batches_loaded_since_this() }}),

{% endif %}parts as (
    select
        {{ region_key('country', 'region', 'city') }} as region_key,
        coalesce(country, 'unknown')    as country,
        region,
        city,
        arg_max(timezone, played_at)    as timezone,
        max(played_at)                  as last_played_at
    from {{ ref('stg_plays') }}
    {% if is_incremental() %}
    where batch_id in (select batch_id from new_batches)
    {% endif %}
    group by all
    {% if is_incremental() %}
    union all
    -- The key computed again: a table an older Playlake built holds text keys.
    select {{ region_key('country', 'region', 'city') }}, country, region, city, timezone, last_played_at
    from {{ this }}
    where last_played_at is not null
    {% endif %}
),

places as (
    select
        region_key,
        any_value(country)                  as country,
        any_value(region)                   as region,
        any_value(city)                     as city,
        arg_max(timezone, last_played_at)   as timezone,
        max(last_played_at)                 as last_played_at
    from parts
    group by region_key
),

unknown as (
    select {{ region_key('null', 'null', 'null') }} as region_key, 'unknown' as country, null as region, null as city, 'UTC' as timezone,
           null::timestamp as last_played_at
),

subdivisions as (
    select subdivision_code, subdivision_name from {{ ref('stg_subdivisions') }}
),

all_places as (
    select * from places
    union all
    select * from unknown where region_key not in (select region_key from places)
),

named as (
    select
        p.region_key,
        p.country,
        p.region,
        coalesce(s.subdivision_name, p.region) as region_name,
        p.city,
        p.timezone,
        p.last_played_at
    from all_places as p
    left join subdivisions as s
        on s.subdivision_code = case when upper(p.region) like p.country || '-%' then upper(p.region)
                                     else p.country || '-' || upper(p.region) end
)

select
    *,
    {% if is_incremental() %}
    coalesce((select max(loaded_at) from new_batches), (select max(loaded_at) from {{ this }})) as loaded_at
    {% else %}
    (select max(loaded_at) from {{ ref('fct_plays') }}) as loaded_at
    {% endif %}
from named
