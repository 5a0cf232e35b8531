{% snapshot scd_users %}
{{ config(target_schema='snapshots', unique_key='user_id', strategy='check', check_cols=['level', 'country', 'city', 'first_name', 'last_name']) }}
-- Listener attributes as each run saw them (one row per user in the source).
select
    user_id,
    arg_max(first_name, updated_at)       as first_name,
    arg_max(last_name, updated_at)        as last_name,
    arg_max(gender, updated_at)           as gender,
    arg_max(level, updated_at)            as level,
    arg_max(country, updated_at)          as country,
    arg_max(region, updated_at)           as region,
    arg_max(city, updated_at)             as city,
    min(registration_ts)                  as registration_ts
from {{ source('silver', 'users') }}
group by user_id
{% endsnapshot %}
