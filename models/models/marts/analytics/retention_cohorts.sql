-- Question 8: weekly retention. A cohort is the week of a listener's first play;
-- retention is the share of the cohort that played in each later week.
with activity as (
    select distinct user_id, week_start from {{ ref('fct_plays') }}
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
