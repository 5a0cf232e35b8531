-- Listening time per UTC day and kind: music (agg_kpi_days' figures of the
-- day, so neither the play fact nor a cube is scanned again), podcast and
-- audiobook (from fct_episode_plays). Listeners are distinct per day and kind.
with music as (
    select
        date_key,
        'music'                                  as kind,
        plays::bigint                            as plays,
        listeners,
        ms_played::bigint                        as ms_played
    from {{ ref('agg_kpi_days') }}
),

spoken as (
    select
        date_key,
        kind,
        count(*)                                 as plays,
        count(distinct user_id)                  as listeners,
        sum(ms_played)::bigint                   as ms_played
    from {{ ref('fct_episode_plays') }}
    group by date_key, kind
),

kinds as (
    select * from music
    union all
    select * from spoken
)

select
    date_key,
    kind,
    plays,
    listeners,
    ms_played / 3600000.0                        as listening_hours
from kinds
