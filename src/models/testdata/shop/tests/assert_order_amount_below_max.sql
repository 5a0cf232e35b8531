-- Orders above var('max_amount') are suspicious.
select order_id, amount
from {{ ref('stg_orders') }}
where amount > {{ var('max_amount') }}
