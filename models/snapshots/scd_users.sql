{% snapshot scd_users %}
{{ config(target_schema='snapshots', unique_key='user_id', strategy='check', check_cols=['level', 'country', 'city', 'first_name', 'last_name']) }}
-- Listener attributes as each run saw them: the latest observed version of each user
-- (catalog rows, which carry no observation time, count as the oldest).
with versions as (
    select *, coalesce(timezone('UTC', observed_ts), timestamp '1970-01-01') as seen_at
    from {{ source('silver', 'users') }}
)

select
    user_id,
    arg_max(first_name, seen_at)       as first_name,
    arg_max(last_name, seen_at)        as last_name,
    arg_max(gender, seen_at)           as gender,
    arg_max(level, seen_at)            as level,
    arg_max(country, seen_at)          as country,
    arg_max(region, seen_at)           as region,
    arg_max(city, seen_at)             as city,
    min(timezone('UTC', registration_ts)) as registration_ts
from versions
group by user_id
{% endsnapshot %}
