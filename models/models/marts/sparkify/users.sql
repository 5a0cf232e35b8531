{{ config(enabled=var('sparkify_tables')) }}
-- Sparkify "users": each listener's latest attributes.
select
    user_id,
    first_name,
    last_name,
    gender,
    level
from {{ ref('scd_users') }}
where dbt_valid_to is null
