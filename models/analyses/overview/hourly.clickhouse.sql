select formatDateTime(hour_start, '%Y-%m-%d %H:00') as hour, plays, expected_plays, z_score,
    {{ ch_bool('is_anomaly') }} as is_anomaly
from (select * from {{ ref('volume_anomalies') }} where {dates(toDate(hour_start))})
order by hour_start
