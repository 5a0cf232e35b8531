{{ config(materialized='incremental', unique_key=['local_weekday', 'local_hour']) }}
-- Question 4: peak listening hours, by weekday (1 = Monday) and local hour.
--
-- Incremental: listeners are counted distinct over all time, so a run adds to
-- the stored counts the plays loaded since its last one, the listeners seen
-- at that weekday and hour for the first time (int_listener_hours' rows loaded
-- since), and the local dates seen for the first time (days, which
-- avg_plays_per_day divides by; a probe of the earlier plays of the new
-- plays' dates). Every one of the 168 rows is written again (a new date
-- changes a weekday's average at every hour).
with new_plays as (
    select local_weekday, local_hour, local_date, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    where {{ loaded_since_this() }}
    {% endif %}
),

{% if is_incremental() %}
stored as (
    select * from {{ this }} where {{ stored_counts_hold() }}
),

-- The local dates the stored rows count among the new plays' (the fact is in
-- load order, so mostly in date order: the date filter skips most of it).
old_days as (
    select distinct local_weekday, local_date from {{ ref('fct_plays') }}
    where loaded_at <= (select max(loaded_at) from stored)
        and local_date in (select local_date from new_plays)
),
{% endif %}

new_listeners as (
    select local_weekday, local_hour, user_key from {{ ref('int_listener_hours') }}
    {% if is_incremental() %}
    -- All of them when the stored counts do not hold (stored is empty).
    where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from stored)
    {% endif %}
),

new_days as (
    select distinct local_weekday, local_date from new_plays
    {% if is_incremental() %}
    except
    select local_weekday, local_date from old_days
    {% endif %}
),

hours as (
    select
        local_weekday,
        local_hour,
        sum(plays)::bigint      as plays,
        sum(listeners)::bigint  as listeners,
        max(loaded_at)          as loaded_at
    from (
        select local_weekday, local_hour, count(*) as plays, 0 as listeners, max(loaded_at) as loaded_at
        from new_plays group by local_weekday, local_hour
        union all
        select local_weekday, local_hour, 0, count(*), null
        from new_listeners group by local_weekday, local_hour
        {% if is_incremental() %}
        union all
        select local_weekday, local_hour, plays, listeners, loaded_at from stored
        {% endif %}
    )
    group by local_weekday, local_hour
),

days_per_weekday as (
    select local_weekday, sum(days)::bigint as days
    from (
        select local_weekday, count(*) as days from new_days group by local_weekday
        {% if is_incremental() %}
        union all
        select local_weekday, max(days) from stored group by local_weekday
        {% endif %}
    )
    group by local_weekday
)

select
    h.local_weekday,
    dayname(date '2024-01-01' + cast(h.local_weekday - 1 as integer)) as weekday_name,
    h.local_hour,
    h.plays,
    h.listeners,
    h.plays / d.days                                                   as avg_plays_per_day,
    d.days,
    h.loaded_at
from hours as h
join days_per_weekday as d on h.local_weekday = d.local_weekday
