{{ config(materialized='incremental', unique_key='week_start') }}
-- Plays and listeners per week and artist, for artist_ranking. Listeners are
-- counted distinct within the week, so a week is recomputed whole: an
-- incremental run rebuilds only the weeks that gained plays (the week of the
-- new day, and the weeks of late plays) instead of grouping every play.
with plays as (
    select week_start, artist_id, user_id from {{ ref('fct_plays') }}
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

select week_start, artist_id, count(*) as plays, count(distinct user_id) as listeners
from plays
group by week_start, artist_id
