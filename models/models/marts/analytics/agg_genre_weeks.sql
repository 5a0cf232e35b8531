{{ config(materialized='incremental', unique_key='week_start') }}
-- Plays and listeners per week and genre, for genre_trends; incremental by
-- week as agg_artist_weeks.
with plays as (
    select week_start, genre, user_id, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- Only the weeks that gained plays since this table's latest loaded_at.
    where week_start in (
        select week_start from {{ ref('fct_plays') }}
        where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
    )
    {% endif %}
)

select week_start, genre, count(*) as plays, count(distinct user_id) as listeners, max(loaded_at) as loaded_at
from plays
group by week_start, genre
