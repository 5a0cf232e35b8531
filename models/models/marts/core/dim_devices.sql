{{ config(materialized='incremental', unique_key='device_key') }}
-- How listeners listen: device class and platform.
--
-- Incremental as dim_regions: a run reads only the silver batches fct_plays
-- loaded since this table's latest loaded_at and restates the (tiny) table
-- from them and the stored rows, so the mark moves on every run that loads
-- plays.
with {% if is_incremental() %}new_batches as ({{ fct_plays_batches_loaded_since_this() }}),

{% endif %}devices as (
    select distinct
        {{ device_key('device', 'platform') }} as device_key,
        coalesce(device, 'unknown') as device,
        platform
    from {{ ref('stg_plays') }}
    {% if is_incremental() %}
    where batch_id in (select batch_id from new_batches)
    union
    -- The key computed again: a table an older Playlake built holds text keys.
    select {{ device_key('device', 'platform') }}, device, platform from {{ this }}
    where not (device = 'unknown' and platform is null)
    {% endif %}
),

unknown as (
    select {{ device_key('null', 'null') }} as device_key, 'unknown' as device, null as platform
)

select
    *,
    {% if is_incremental() %}
    coalesce((select max(loaded_at) from new_batches), (select max(loaded_at) from {{ this }})) as loaded_at
    {% else %}
    (select max(loaded_at) from {{ ref('fct_plays') }}) as loaded_at
    {% endif %}
from (
    select * from devices
    union all
    select * from unknown where device_key not in (select device_key from devices)
)
