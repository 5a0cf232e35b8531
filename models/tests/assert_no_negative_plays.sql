-- A play cannot last a negative time.
select play_id, ms_played from {{ ref('fct_plays') }} where ms_played < 0
