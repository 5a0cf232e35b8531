-- 0 when the listener has no plays of any kind in gold.
select
    (select count(*) from {{ ref('user_engagement') }} where user_id = {user})
    + (select count(*) from (select 1 from {{ ref('fct_episode_plays') }} where user_id = {user} limit 1)) as n
