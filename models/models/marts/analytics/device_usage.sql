-- Question 3: how listeners use each device and platform.
with plays as (
    select f.*, d.platform
    from {{ ref('fct_plays') }} as f
    join {{ ref('dim_devices') }} as d on f.device_key = d.device_key
)

select
    device,
    platform,
    count(*)                                                 as plays,
    count(distinct user_id)                                  as listeners,
    sum(ms_played) / 3600000.0                               as listening_hours,
    avg(ms_played) / 1000.0                                  as avg_seconds_played,
    avg(case when skipped then 1.0 else 0.0 end)             as skip_rate,
    avg(case when level = 'paid' then 1.0 else 0.0 end)      as paid_share,
    round(100.0 * count(*) / sum(count(*)) over (), 2)       as plays_share_pct
from plays
group by device, platform
