{{ config(materialized='incremental', unique_key='week_start') }}
-- Plays and listeners per week and genre, for genre_trends; incremental by
-- week as agg_artist_weeks.
with plays as (
    select week_start, genre, user_id from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- fct_plays only grows between full refreshes, so a week's count differs exactly then.
    where week_start in (
        select f.week_start
        from (select week_start, count(*) as plays from {{ ref('fct_plays') }} group by week_start) as f
        left join (select week_start, sum(plays) as plays from {{ this }} group by week_start) as c
            on f.week_start = c.week_start
        where c.plays is distinct from f.plays
    )
    {% endif %}
)

select week_start, genre, count(*) as plays, count(distinct user_id) as listeners
from plays
group by week_start, genre
