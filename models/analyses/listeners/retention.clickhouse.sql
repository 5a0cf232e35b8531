select toString(cohort_week) as cohort_week, weeks_since_first_play as week, cohort_size, retention_pct
from (select * from {{ ref('retention_cohorts') }} where {dates(cohort_week)})
order by cohort_week, week
