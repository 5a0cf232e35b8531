-- Question 3: how listeners use each device and platform. Read from the
-- agg_listener_days cube (exact: listeners are counted distinct on its user
-- key), a sixteenth of fct_plays' rows.
with cube as (
    select * from {{ ref('agg_listener_days') }}
)

select
    device,
    platform,
    sum(plays)::bigint                                           as plays,
    count(distinct user_key)                                     as listeners,
    sum(ms_played) / 3600000.0                                   as listening_hours,
    sum(ms_played) / sum(plays) / 1000.0                         as avg_seconds_played,
    sum(skipped_plays) / sum(plays)                              as skip_rate,
    coalesce(sum(plays) filter (where level = 'paid'), 0) / sum(plays) as paid_share,
    round(100.0 * sum(plays) / sum(sum(plays)) over (), 2)       as plays_share_pct
from cube
group by device, platform
