-- One row per play, typed and named for the marts. Local time is derived here
-- once, from the listener's IANA time zone (UTC when unknown).
with source as (
    select * from {{ source('silver', 'plays') }}
),

renamed as (
    select
        event_id                                   as play_id,
        ts                                         as played_at,
        event_date,
        timezone(coalesce(timezone, 'UTC'), ts at time zone 'UTC') as played_at_local,
        user_id,
        session_id,
        track_id,
        artist_id,
        album_id,
        track_name,
        artist_name,
        album_name,
        duration_ms,
        ms_played,
        country,
        region,
        city,
        timezone,
        device,
        platform,
        level,
        reason_start,
        reason_end,
        coalesce(skipped, ms_played < {{ var('skip_threshold_ms', 30000) }}) as skipped,
        shuffle,
        offline,
        source_format
    from source
)

select * from renamed
