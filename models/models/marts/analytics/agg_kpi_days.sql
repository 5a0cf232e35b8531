{{ config(materialized='incremental', unique_key='date_key') }}
-- Question 9's figures per UTC day, for kpi_daily. Listeners and sessions
-- are counted distinct within the day, so a day is recomputed whole: an
-- incremental run rebuilds only the days that gained plays.
with plays as (
    select date_key, user_id, session_id, ms_played, skipped, level, device, country
    from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- fct_plays only grows between full refreshes, so a day's count differs exactly then.
    where date_key in (
        select f.date_key
        from (select date_key, count(*) as plays from {{ ref('fct_plays') }} group by date_key) as f
        left join (select date_key, sum(plays) as plays from {{ this }} group by date_key) as c
            on f.date_key = c.date_key
        where c.plays is distinct from f.plays
    )
    {% endif %}
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
    mode(country)                                             as top_country
from plays
group by date_key
