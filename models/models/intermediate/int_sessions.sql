-- A session is a run of plays by one user under one session id.
with plays as (
    select * from {{ ref('stg_plays') }}
)

select
    user_id,
    coalesce(session_id, 'none')                        as session_id,
    min(played_at)                                      as session_start,
    max(played_at + to_milliseconds(ms_played))         as session_end,
    count(*)                                            as plays,
    sum(ms_played)                                      as ms_played,
    count(*) filter (where skipped)                     as skipped_plays,
    arg_min(level, played_at)                           as level_at_start,
    arg_min(device, played_at)                          as device
from plays
group by user_id, coalesce(session_id, 'none')
