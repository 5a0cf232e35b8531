-- No bool_or or FILTER in ClickHouse 18.16; over no rows (no Spotify Web API
-- pull asked) the Nullable columns' aggregates are NULL, as DuckDB's.
select
    {{ ch_bool('max(allowed)') }}                               as allowed,
    argMaxIf(http_status, checked_at, allowed = 0)              as http_status,
    if(count() = 0, NULL, formatDateTime(max(checked_at), '%Y-%m-%d')) as checked_on
from {{ ref('spotify_endpoint_access') }}
where endpoint in ('audio_features', 'audio_features_batch')
