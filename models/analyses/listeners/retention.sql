select cohort_week::varchar as cohort_week, weeks_since_first_play as week, cohort_size, retention_pct
from {{ ref('retention_cohorts') }}
where {dates(cohort_week)}
order by cohort_week, week
