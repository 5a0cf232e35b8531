{{ config(materialized='incremental', unique_key='week_start') }}
-- Plays and listeners per week and artist, for artist_ranking. Listeners are
-- counted distinct within the week, so a week is recomputed whole: an
-- incremental run rebuilds only the weeks that gained plays (the week of the
-- new day, and the weeks of late plays) instead of grouping every play.
with plays as (
    select week_start, artist_id, user_id, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- Only the weeks that gained plays since this table's latest loaded_at.
    where week_start in (
        select week_start from {{ ref('fct_plays') }}
        where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
    )
    {% endif %}
)

select week_start, artist_id, count(*) as plays, count(distinct user_id) as listeners, max(loaded_at) as loaded_at
from plays
group by week_start, artist_id
