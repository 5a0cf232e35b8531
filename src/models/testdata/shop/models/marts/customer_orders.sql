with

customers as (
    select * from {{ ref('stg_customers') }}
),

facts as (
    select * from {{ ref('order_facts') }}
)

select
    customers.customer_id,
    customers.customer_name,
    coalesce(facts.order_count, 0) as order_count,
    coalesce(facts.total_amount, 0) as total_amount
from customers
left join facts on customers.customer_id = facts.customer_id
