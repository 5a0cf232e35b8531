select
    id as customer_id,
    name as customer_name,
    plan
from {{ ref('raw_customers') }}
