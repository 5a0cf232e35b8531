{{ config(materialized='incremental', unique_key='week_start') }}
-- Plays and listeners per week and genre, for genre_trends; incremental by
-- week as agg_artist_weeks.
--
-- A play's genre is the one the catalogs give its track now (else its
-- artist's, as fct_plays does), not the one fct_plays stored when it loaded
-- the play: plays that reached gold before their track was looked up (a
-- Spotify Web API pull stopped by a rate limit) leave "unknown" on the next
-- run that has the lookup. So when the track catalogs' silver batches
-- changed (catalog_batches, as in dim_tracks) every week is recomputed;
-- otherwise only the weeks that gained plays.
with catalog as (
    {{ catalog_batches() }}
),

plays as (
    select week_start, track_id, artist_id, user_id, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    where (select catalog_batches from catalog) is distinct from (select max(catalog_batches) from {{ this }})
        -- The weeks that gained plays since this table's latest loaded_at.
        or week_start in (
            select week_start from {{ ref('fct_plays') }}
            where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
        )
    {% endif %}
),

track_genres as (
    select track_id, genre from {{ ref('int_catalog_tracks') }} where genre is not null
),

artist_genres as (
    select artist_id, min(genre) as genre from {{ ref('stg_artists') }} group by artist_id
)

select
    p.week_start,
    coalesce(t.genre, a.genre, 'unknown')     as genre,
    count(*)                                  as plays,
    count(distinct p.user_id)                 as listeners,
    max(p.loaded_at)                          as loaded_at,
    (select catalog_batches from catalog)     as catalog_batches
from plays as p
left join track_genres as t on p.track_id = t.track_id
left join artist_genres as a on p.artist_id = a.artist_id
group by p.week_start, coalesce(t.genre, a.genre, 'unknown')
