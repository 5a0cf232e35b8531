select genre, feature, tracks, mean, p10, p25, median, p75, p90
from {{ ref('audio_features_by_genre') }}
order by feature, genre
