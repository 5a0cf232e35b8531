-- One row per podcast-episode or audiobook-chapter play of a Spotify export,
-- typed and named for the marts; instants as plain UTC timestamps, as in
-- stg_plays. A "show" is what a listener follows: the podcast (keyed by its
-- name, as exports carry no show id) or the audiobook (its id); an "episode"
-- is the episode or the chapter.
with source as (
    select * from {{ source('silver', 'episodes') }}
),

renamed as (
    select
        play_id,
        make_timestamp(epoch_us(event_ts))                      as played_at,
        event_date,
        user_id,
        kind,
        case
            when kind = 'audiobook' then coalesce(audiobook_id, 'name:' || md5(lower(coalesce(audiobook_title, ''))))
            else 'name:' || md5(lower(coalesce(show_name, '')))
        end                                                     as show_id,
        coalesce(show_name, audiobook_title)                    as show_name,
        coalesce(episode_id, chapter_id, audiobook_id)          as episode_id,
        coalesce(episode_name, chapter_title)                   as episode_name,
        ms_played,
        country,
        device,
        platform,
        reason_start,
        reason_end,
        coalesce(skipped, ms_played < {{ var('skip_threshold_ms', 30000) }}) as skipped,
        shuffle,
        offline,
        batch_id
    from source
)

select * from renamed
