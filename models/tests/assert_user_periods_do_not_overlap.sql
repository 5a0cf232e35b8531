-- dim_users: one listener's level periods never overlap and exactly one is current.
with periods as (
    select user_id, valid_from, valid_to, is_current,
           lead(valid_from) over (partition by user_id order by valid_from) as next_from
    from {{ ref('dim_users') }}
)
select user_id from periods where next_from is not null and (valid_to is null or valid_to > next_from)
union all
select user_id from {{ ref('dim_users') }} group by user_id having count(*) filter (where is_current) <> 1
