-- Question 3: how listeners use each device and platform. Read from the
-- agg_listener_days cube (exact: listeners are counted distinct on its user
-- key), a sixteenth of fct_plays' rows, grouped on its device_key (an
-- integer, for the device and platform of dim_devices).
with cube as (
    select * from {{ ref('agg_listener_days') }}
),

per_device as (
    select
        device_key,
        sum(plays)::bigint                                       as plays,
        count(distinct user_key)                                 as listeners,
        sum(ms_played)                                           as ms_played,
        sum(skipped_plays)                                       as skipped_plays,
        coalesce(sum(plays) filter (where level = 'paid'), 0)    as paid_plays
    from cube
    group by device_key
)

select
    d.device,
    d.platform,
    p.plays,
    p.listeners,
    p.ms_played / 3600000.0                                      as listening_hours,
    p.ms_played / p.plays / 1000.0                               as avg_seconds_played,
    p.skipped_plays / p.plays                                    as skip_rate,
    p.paid_plays / p.plays                                       as paid_share,
    round(100.0 * p.plays / sum(p.plays) over (), 2)             as plays_share_pct
from per_device as p
join {{ ref('dim_devices') }} as d using (device_key)
