{{ config(materialized='table') }}
-- The plays where a listener's level differs from their play before (their
-- first play included): one window pass over every play, shared by dim_users
-- (level periods) and int_user_metrics (upgrades and downgrades), which each
-- sorted every play by listener and time before. Ties in time are ordered by
-- play id, so the result does not depend on the scan order.
with plays as (
    select user_id, play_id, played_at, coalesce(level, 'unknown') as level
    from {{ ref('stg_plays') }}
    where user_id is not null
),

with_previous as (
    select
        *,
        lag(level) over (partition by user_id order by played_at, play_id) as previous_level
    from plays
)

select user_id, play_id, played_at, level, previous_level
from with_previous
where level is distinct from previous_level
