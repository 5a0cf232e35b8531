-- No bool_or or FILTER in ClickHouse 18.16; over no rows (no Spotify Web API
-- pull asked) the Nullable columns' aggregates are NULL, as DuckDB's. Summed
-- under other names first: ClickHouse reads `allowed` anywhere in a SELECT as
-- its alias once one is named so.
select
    {{ ch_bool('any_allowed') }} as allowed,
    refused_status as http_status,
    if(checks = 0, NULL, formatDateTime(newest, '%Y-%m-%d')) as checked_on
from (
    select max(allowed) as any_allowed, argMaxIf(http_status, checked_at, allowed = 0) as refused_status,
        count() as checks, max(checked_at) as newest
    from {{ ref('spotify_endpoint_access') }}
    where endpoint in ('audio_features', 'audio_features_batch')
)
