-- One row per play, typed and named for the marts. Silver's instants
-- (TIMESTAMPTZ) become plain UTC timestamps here, so no model depends on the
-- session's time zone (by arithmetic on epoch microseconds: DuckDB's
-- timezone('UTC', x) goes through ICU and costs 8x more); local time is
-- derived in fct_plays. Sources without
-- track or artist ids (eventsim, legacy Spotify exports) get keys derived from
-- the names, so their plays still group by track and artist; an album without
-- an id but with a name (Spotify exports) gets one from its artist and name.
-- The three fallbacks share no subexpression on purpose (lower() of the whole
-- text, concat() for the NULLs): DuckDB hoists a shared one, such as
-- lower(coalesce(artist_name, '')), out of coalesce() and computes it for
-- every play, ids or not (0.2-0.4 s per 5M plays).
-- The plays pulled from the Spotify Web API join them, less those an export
-- also holds (stg_spotify_plays).
with source as (
    select * from {{ source('silver', 'plays') }}
    union all by name
    select * exclude (export_play_id, context_type, context_uri)
    from {{ ref('stg_spotify_plays') }}
    where export_play_id is null
),

renamed as (
    select
        play_id,
        make_timestamp(epoch_us(event_ts))         as played_at,
        event_date,
        user_id,
        session_id,
        coalesce(track_id, 'name:' || md5(lower(concat(artist_name, '|', track_name)))) as track_id,
        coalesce(artist_id, 'name:' || md5(lower(coalesce(artist_name, ''))))   as artist_id,
        coalesce(album_id, 'name:' || md5(lower(concat(artist_name, '|') || album_name))) as album_id,
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
        user_agent,
        source_format,
        batch_id
    from source
)

select * from renamed
