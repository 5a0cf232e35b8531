-- No play starts after the moment the models run (a clock or parsing error).
select play_id, played_at from {{ ref('fct_plays') }} where played_at > now()::timestamp + interval 1 day
