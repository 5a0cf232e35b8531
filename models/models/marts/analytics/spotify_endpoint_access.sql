-- What the Spotify Web API lets this project's app read: the newest check of
-- each endpoint the catalog enrichment asked (silver spotify_app_access),
-- allowed or refused with its HTTP status. Empty without a spotify_api
-- source. The dashboard says audio features are not available for the app
-- only when this records the refusal.
select
    endpoint,
    arg_max(allowed, checked_at)                      as allowed,
    arg_max(http_status, checked_at)                  as http_status,
    make_timestamp(epoch_us(max(checked_at)))         as checked_at
from {{ source('silver', 'spotify_app_access') }}
group by endpoint
