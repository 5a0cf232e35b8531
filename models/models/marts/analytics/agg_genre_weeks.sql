{{ config(materialized='incremental', unique_key='week_start') }}
-- Plays and listeners per week and genre, for genre_trends.
--
-- A play's genre is the one the catalogs give its track now (else its
-- artist's), not the one they gave when fct_plays loaded the play: plays
-- that reached gold before their track was looked up (a
-- Spotify Web API pull stopped by a rate limit) leave "unknown" on the next
-- run that has the lookup. So when the track catalogs' silver batches
-- changed (catalog_batches, as in dim_tracks) every week is recomputed from
-- every play.
--
-- Otherwise, as agg_artist_weeks: a run adds the plays loaded since its last
-- one to their weeks' rows, and to listeners the listeners who played that
-- genre that week for the first time (the earlier plays of the new plays'
-- listeners and weeks, probed with their keys). Whole weeks are written
-- (unique_key week_start), a few dozen rows each.
with catalog as (
    {{ catalog_batches() }}
),

-- Keyed as fct_plays keys its plays (the dimensions' hash of the id).
track_genres as (
    select hash(track_id) as track_key, genre
    from {{ ref('int_catalog_tracks') }}
    where genre is not null
),

artist_genres as (
    select hash(artist_id) as artist_key, min(genre) as genre
    from {{ ref('stg_artists') }}
    group by artist_id
),

{% if is_incremental() %}
-- Whether the stored rows may be added to: same catalogs, fct_plays not rebuilt.
holds as (
    select coalesce({{ stored_counts_hold() }}
        and (select catalog_batches from catalog) is not distinct from (select max(catalog_batches) from {{ this }}),
        false) as yes
),
{% endif %}

new_plays as (
    select week_start, track_key, artist_key, user_key, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    -- One bound, so the scan skips the row groups loaded before it (with
    -- "not holds or loaded_at > ...", every play was read: 0.6 s of 0.8 s).
    where loaded_at > (
        select if((select yes from holds), coalesce(max(loaded_at), timestamp '-infinity'), timestamp '-infinity')
        from {{ this }}
    )
    {% endif %}
),

{% if is_incremental() %}
stored as (
    select * from {{ this }}
    where (select yes from holds) and week_start in (select week_start from new_plays)
),

-- The plays the stored rows count, of the new plays' listeners and weeks.
old_plays as (
    select week_start, track_key, artist_key, user_key from {{ ref('fct_plays') }}
    semi join new_plays using (week_start, user_key)
    where (select yes from holds) and loaded_at <= (select max(loaded_at) from {{ this }})
),
{% endif %}

genre_of as (
    select p.week_start, p.user_key, p.loaded_at, coalesce(t.genre, a.genre, 'unknown') as genre
    from new_plays as p
    left join track_genres as t on p.track_key = t.track_key
    left join artist_genres as a on p.artist_key = a.artist_key
),

{% if is_incremental() %}
new_listeners as (
    select distinct week_start, genre, user_key from genre_of
    except
    select p.week_start, coalesce(t.genre, a.genre, 'unknown'), p.user_key
    from old_plays as p
    left join track_genres as t on p.track_key = t.track_key
    left join artist_genres as a on p.artist_key = a.artist_key
),

counts as (
    select week_start, genre, count(*) as plays, 0 as listeners, max(loaded_at) as loaded_at
    from genre_of group by week_start, genre
    union all
    select week_start, genre, 0, count(*), null
    from new_listeners group by week_start, genre
    union all
    select week_start, genre, plays, listeners, loaded_at from stored
)
{% else %}
-- A full build counts listeners distinct in the same pass, as agg_artist_weeks.
counts as (
    select week_start, genre, count(*) as plays, count(distinct user_key) as listeners,
        max(loaded_at) as loaded_at
    from genre_of group by week_start, genre
)
{% endif %}

select
    week_start,
    genre,
    sum(plays)::bigint                        as plays,
    sum(listeners)::bigint                    as listeners,
    max(loaded_at)                            as loaded_at,
    (select catalog_batches from catalog)     as catalog_batches
from counts
group by week_start, genre
