-- Listeners with their level history (SCD2): one row per period at one level.
-- Periods come from the play stream (each play records the level it was played
-- at), so a historical backfill gets its full history in one run; names and
-- places come from the current row of the scd_users snapshot.
-- Join plays with: f.user_id = d.user_id and f.played_at >= d.valid_from
-- and (d.valid_to is null or f.played_at < d.valid_to).
-- Periods start at the plays where the level changes (int_level_changes);
-- each is bounded by the next.
with from_plays as (
    select
        user_id,
        row_number() over (partition by user_id order by played_at, play_id) as version,
        level,
        played_at as valid_from,
        lead(played_at) over (partition by user_id order by played_at, play_id) as valid_to
    from {{ ref('int_level_changes') }}
),

without_plays as (
    select user_id, 1 as version, coalesce(level, 'unknown') as level,
           coalesce(registration_ts, timestamp '1970-01-01') as valid_from, null::timestamp as valid_to
    from {{ ref('scd_users') }}
    where dbt_valid_to is null and user_id not in (select user_id from from_plays)
),

versions as (
    select * from from_plays
    union all
    select * from without_plays
),

current_attributes as (
    select * from {{ ref('scd_users') }} where dbt_valid_to is null
)

select
    v.user_id || '#' || v.version    as user_key,
    v.user_id,
    v.version,
    v.level,
    v.valid_from,
    v.valid_to,
    v.valid_to is null               as is_current,
    a.first_name,
    a.last_name,
    a.gender,
    a.country,
    a.region,
    a.city,
    a.registration_ts
from versions as v
left join current_attributes as a on v.user_id = a.user_id
union all
select 'unknown', 'unknown', 1, 'unknown', timestamp '1970-01-01', null, true,
       null, null, null, null, null, null, null
