{{ config(materialized='incremental', unique_key='start_time') }}
-- Sparkify "time": each distinct play start broken into calendar units.
-- Incremental: a run adds the starts it does not hold yet (an anti-join on one
-- timestamp column, cheaper than the distinct over every play and rewriting
-- millions of rows).
with starts as (
    select distinct played_at from {{ ref('stg_plays') }} as p
    {% if is_incremental() %}
    where not exists (select 1 from {{ this }} as t where t.start_time = p.played_at)
    {% endif %}
)

select
    played_at                      as start_time,
    hour(played_at)                as hour,
    day(played_at)                 as day,
    week(played_at)                as week,
    month(played_at)               as month,
    year(played_at)                as year,
    isodow(played_at)              as weekday
from starts
