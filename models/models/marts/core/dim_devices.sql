-- How listeners listen: device class and platform.
with devices as (
    select distinct
        coalesce(device, 'unknown') || '|' || coalesce(platform, '') as device_key,
        coalesce(device, 'unknown') as device,
        platform
    from {{ ref('stg_plays') }}
),

unknown as (
    select 'unknown|' as device_key, 'unknown' as device, null as platform
)

select * from devices
union all
select * from unknown where device_key not in (select device_key from devices)
