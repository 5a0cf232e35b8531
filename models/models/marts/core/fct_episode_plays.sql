-- The podcast and audiobook fact: one row per play of an episode or a chapter
-- (Spotify exports; other sources have none). Kept apart from fct_plays, whose
-- keys are tracks and artists: a show is not an artist, and the music fact
-- stays as narrow and fast as it is. listening_by_kind puts the two side by
-- side. A table: exports hold a few thousand of these plays, not millions.
select
    play_id,
    event_date                                   as date_key,
    played_at,
    coalesce(user_id, 'unknown')                 as user_id,
    kind,
    show_id,
    show_name,
    episode_id,
    episode_name,
    ms_played,
    skipped,
    coalesce(country, 'unknown')                 as country,
    coalesce(device, 'unknown')                  as device,
    platform,
    reason_start,
    reason_end,
    shuffle,
    offline,
    batch_id
from {{ ref('stg_episodes') }}
