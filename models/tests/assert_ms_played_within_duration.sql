-- A play may not run longer than its track, beyond a small tolerance.
{{ config(severity='warn') }}
select play_id, ms_played, duration_ms
from {{ ref('fct_plays') }}
where duration_ms is not null and ms_played > duration_ms + {{ var('duration_tolerance_ms', 5000) }}
