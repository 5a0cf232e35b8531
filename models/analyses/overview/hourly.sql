-- All listeners: the anomaly model has no country, device or level.
select strftime(hour_start, '%Y-%m-%d %H:00') as hour, plays, expected_plays, z_score, is_anomaly
from {{ ref('volume_anomalies') }}
where {dates(cast(hour_start as date))}
order by hour_start
