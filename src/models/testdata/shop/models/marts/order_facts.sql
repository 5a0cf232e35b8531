{{ config(materialized='ephemeral') }}

select
    customer_id,
    count(*) as order_count,
    sum(amount) as total_amount
from {{ ref('stg_orders') }}
where status <> 'returned'
group by customer_id
