-- Question 8: weekly retention. A cohort is the week of a listener's first play;
-- retention is the share of the cohort that played in each later week.
-- Read from the agg_listener_days cube (a row per listener and day at most a
-- few times over, a tenth of fct_plays' rows) by its user_key, a 64-bit hash
-- of user_id, as regional_trends counts listeners.
with activity as (
    select distinct user_key as user_id, cast(date_trunc('week', date_key) as date) as week_start
    from {{ ref('agg_listener_days') }}
),

cohorts as (
    select user_id, min(week_start) as cohort_week from activity group by user_id
),

cohort_sizes as (
    select cohort_week, count(*) as cohort_size from cohorts group by cohort_week
)

select
    c.cohort_week,
    cast((a.week_start - c.cohort_week) / 7 as integer)       as weeks_since_first_play,
    any_value(s.cohort_size)                                   as cohort_size,
    count(*)                                                   as active_listeners,
    round(100.0 * count(*) / any_value(s.cohort_size), 2)      as retention_pct
from activity as a
join cohorts as c on a.user_id = c.user_id
join cohort_sizes as s on c.cohort_week = s.cohort_week
group by c.cohort_week, a.week_start
