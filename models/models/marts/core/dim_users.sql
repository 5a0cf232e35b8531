{{ config(materialized='incremental', unique_key='user_id') }}
-- Listeners with their level history (SCD2): one row per period at one level.
-- Periods come from the play stream (each play records the level it was played
-- at), so a historical backfill gets its full history in one run; names and
-- places come from the current row of the scd_users snapshot.
-- Join plays with: f.user_id = d.user_id and f.played_at >= d.valid_from
-- and (d.valid_to is null or f.played_at < d.valid_to).
-- Periods start at the plays where the level changes (int_level_changes);
-- each is bounded by the next.
--
-- Incremental by listener: a listener's rows depend on their rows of
-- int_level_changes (each carries the latest loaded_at of the listener's
-- plays) and on their current scd_users row (a new version starts at the
-- snapshot's run). A run replaces the rows (delete+insert on user_id) of the
-- listeners whose int_level_changes rows are newer than this table's latest
-- loaded_at, or whose current scd_users row began after the latest
-- scd_users_seen_at; rebuilding all 100,000 listeners after every batch of
-- plays was one of the slowest steps of a run after new plays.
with {% if is_incremental() %}changed_users as (
    select user_id from {{ ref('int_level_changes') }}
    where {{ loaded_since_this() }}
    union
    select user_id from {{ ref('scd_users') }}
    where dbt_valid_to is null
        and dbt_valid_from > (select coalesce(max(scd_users_seen_at), timestamp '-infinity') from {{ this }})
),

{% endif %}level_changes as (
    select * from {{ ref('int_level_changes') }}
    {% if is_incremental() %}
    where user_id in (select user_id from changed_users)
    {% endif %}
),

current_attributes as (
    select * from {{ ref('scd_users') }}
    where dbt_valid_to is null
    {% if is_incremental() %}
        and user_id in (select user_id from changed_users)
    {% endif %}
),

from_plays as (
    select
        user_id,
        row_number() over (partition by user_id order by played_at, play_id) as version,
        level,
        played_at as valid_from,
        lead(played_at) over (partition by user_id order by played_at, play_id) as valid_to
    from level_changes
),

without_plays as (
    select user_id, 1 as version, coalesce(level, 'unknown') as level,
           coalesce(registration_ts, timestamp '1970-01-01') as valid_from, null::timestamp as valid_to
    from current_attributes
    where user_id not in (select user_id from from_plays)
),

versions as (
    select * from from_plays
    union all
    select * from without_plays
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
    a.registration_ts,
    -- The latest loaded_at of int_level_changes and the latest start of a
    -- scd_users version this row has seen.
    (select max(loaded_at) from {{ ref('int_level_changes') }})          as loaded_at,
    (select max(dbt_valid_from) from {{ ref('scd_users') }})             as scd_users_seen_at
from versions as v
left join current_attributes as a on v.user_id = a.user_id
union all
-- The "unknown" member is written once and never rewritten, so it carries no
-- marks (NULL), as in dim_tracks.
select 'unknown', 'unknown', 1, 'unknown', timestamp '1970-01-01', null, true,
       null, null, null, null, null, null, null, null, null
{% if is_incremental() %}
where not exists (select 1 from {{ this }} where user_id = 'unknown')
{% endif %}
