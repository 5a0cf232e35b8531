{{ config(materialized='incremental') }}
-- The play fact: one row per play, keyed to every dimension, with the
-- calendar of the listener's local time. Country, device and level are also
-- kept on the row so dashboards filter without joins; names and genres live
-- in the dimensions (dim_tracks, dim_artists), not on 5M rows (a genre copied
-- into each play was read by no model and cost a full build 1-2 s).
-- Tracks, artists and albums are 64-bit keys (hash of the id, as the
-- dimensions compute them), not their text ids: writing a text column of 5M
-- rows costs DuckDB several times an integer one (hashing each string for
-- its dictionary, then compressing), and the cubes group on the keys.
--
-- Incremental by silver batch: a run appends the plays of the batches this
-- table has not seen (with the plays pulled from the Spotify Web API, which
-- stg_plays adds). A batch is committed to silver whole and never changes,
-- and silver keeps one row per play id across batches, so this is exact; late
-- events (an old date arriving today) come with their batch. No unique_key:
-- new batches hold only new play ids, so a merge would find nothing to replace
-- and only cost a probe of every stored play (1 s for one day of the
-- benchmark); the unique test on play_id still checks it. loaded_at tells
-- the models built on the fact which plays are new to them.
--
-- In a full build new_plays is NOT MATERIALIZED: each of its two reads is a
-- scan of its own columns (materialized, the full build copied every column
-- of every play first: 4.7 s instead of 0.6 s on the benchmark). In an
-- incremental run it is MATERIALIZED: the new batches' plays are few, and
-- each read of silver with the batch filter still opens every file (0.06-0.1 s
-- on the benchmark's 448 files), so silver is read once.
-- The batches it takes are found once (new_batches, MATERIALIZED): inlined,
-- both reads scanned every play's batch_id in silver and in this table again,
-- 0.3 s of a run with nothing new on the 5M benchmark.
--
-- Local time comes from the listener's IANA zone (UTC when unknown). Zone
-- rules only change on quarter hours, so the zone's UTC offset is looked up
-- once per zone and quarter hour that has plays, not once per play: ICU's
-- timezone() on every row took 10.6 s for 7.5M plays, this takes 1.5 s.
with {% if is_incremental() %}new_batches as materialized (
    select batch_id from (select distinct batch_id from {{ ref('stg_plays') }})
    where batch_id not in (select distinct batch_id from {{ this }})
),

{% endif %}new_plays as {% if is_incremental() %}materialized{% else %}not materialized{% endif %} (
    select * from {{ ref('stg_plays') }}
    {% if is_incremental() %}
    where batch_id in (select batch_id from new_batches)
    -- A listen pulled from the Spotify Web API and found again in an export
    -- counts once: the export's play is left out when a run before loaded
    -- the API's play of the same listen (its batch is here; stg_spotify_plays
    -- pairs them).
    and play_id not in (
        select export_play_id from {{ ref('stg_spotify_plays') }}
        where export_play_id is not null
            and batch_id in (select distinct batch_id from {{ this }})
    )
    {% endif %}
),

zone_offsets as (
    select
        timezone,
        quarter_hour,
        epoch_us(timezone(coalesce(timezone, 'UTC'), make_timestamptz(quarter_hour * 900000000)))
            - quarter_hour * 900000000 as offset_us
    from (
        select distinct timezone, epoch_us(played_at) // 900000000 as quarter_hour
        from new_plays
    )
),

local_plays as (
    select
        p.*,
        make_timestamp(epoch_us(p.played_at) + z.offset_us) as played_at_local
    from new_plays as p
    join zone_offsets as z
        on p.timezone is not distinct from z.timezone
        and epoch_us(p.played_at) // 900000000 = z.quarter_hour
),

plays as (
    select
        p.play_id,
        p.played_at,
        p.event_date,
        cast(p.played_at_local as date)                     as local_date,
        hour(p.played_at_local)                             as local_hour,
        isodow(p.played_at_local)                           as local_weekday,
        cast(date_trunc('week', p.event_date) as date)      as week_start,
        p.user_id,
        p.session_id,
        p.track_id,
        p.artist_id,
        p.album_id,
        p.duration_ms,
        p.ms_played,
        p.skipped,
        p.country,
        p.region,
        p.city,
        p.device,
        p.platform,
        p.level,
        p.reason_start,
        p.reason_end,
        p.shuffle,
        p.offline,
        p.batch_id
    from local_plays as p
)

select
    play_id,
    hash(play_id)                                                        as play_key,
    event_date                                                           as date_key,
    hour(played_at) * 60 + minute(played_at)                             as time_key,
    played_at,
    local_date,
    local_hour,
    local_weekday,
    week_start,
    user_id,
    hash(user_id)                                                        as user_key,
    session_id,
    hash(coalesce(track_id, 'unknown'))                                  as track_key,
    hash(coalesce(artist_id, 'unknown'))                                 as artist_key,
    hash(coalesce(album_id, 'unknown'))                                  as album_key,
    {{ region_key('country', 'region', 'city') }}                       as region_key,
    {{ device_key('device', 'platform') }}                               as device_key,
    coalesce(country, 'unknown')                                          as country,
    coalesce(device, 'unknown')                                           as device,
    coalesce(level, 'unknown')                                            as level,
    ms_played,
    duration_ms,
    skipped,
    shuffle,
    offline,
    reason_start,
    reason_end,
    batch_id,
    -- When this run added the play: the high-water mark of the models built on
    -- the fact (they take rows loaded after the latest loaded_at they hold).
    -- Strictly increasing from run to run even if the clock steps back.
    {% if is_incremental() %}
    (select greatest(make_timestamp(epoch_us(current_timestamp)), max(loaded_at) + interval 1 microsecond)
     from {{ this }})                                                    as loaded_at
    {% else %}
    make_timestamp(epoch_us(current_timestamp))                          as loaded_at
    {% endif %}
from plays
