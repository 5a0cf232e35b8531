{{ config(materialized='incremental', unique_key='date_key') }}
-- Question 9's figures per UTC day, for kpi_daily. Listeners and sessions
-- are counted distinct within the day, so a day is recomputed whole: an
-- incremental run rebuilds only the days that gained plays.
with plays as (
    select date_key, user_id, session_id, ms_played, skipped, level, device, country, loaded_at
    from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    where date_key in ({{ fct_plays_days_loaded_since_this() }})
    {% endif %}
),

-- The country with the most plays each day; ties go to the first code
-- (mode() would take whichever came first, which varies between builds).
top_countries as (
    select date_key, first(country order by plays desc, country) as top_country
    from (select date_key, country, count(*) as plays from plays group by date_key, country)
    group by date_key
)

select
    date_key,
    count(*)                                                  as plays,
    count(distinct user_id)                                   as listeners,
    sum(ms_played)                                            as ms_played,
    count(distinct user_id || '/' || coalesce(session_id, '')) as sessions,
    count(*) filter (where skipped)                           as skipped_plays,
    count(*) filter (where level = 'paid')                    as paid_plays,
    count(*) filter (where device = 'mobile')                 as mobile_plays,
    t.top_country,
    max(loaded_at)                                            as loaded_at
from plays
join top_countries as t using (date_key)
group by date_key, t.top_country
