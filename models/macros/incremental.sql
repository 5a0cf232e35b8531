{#
  The silver batches fct_plays loaded after the latest loaded_at the calling
  model holds, each with the loaded_at of the run that loaded it. The models
  built incrementally on fct_plays by batch (int_tracks_played,
  int_track_attributions, dim_regions, dim_devices) read only these batches'
  plays, and the batch filter reaches the Parquet scan.
  REQUIRES: is_incremental() in the calling model.
#}
{% macro fct_plays_batches_loaded_since_this() %}
    select batch_id, max(loaded_at) as loaded_at
    from {{ ref('fct_plays') }}
    where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
    group by batch_id
{% endmacro %}

{#
  The days (date_key) of fct_plays that gained plays after the latest
  loaded_at the calling model holds. The models kept per day (the serving
  cubes, agg_kpi_days) rebuild these days whole, keyed by date_key.
  REQUIRES: is_incremental() in the calling model.
#}
{% macro fct_plays_days_loaded_since_this() %}
    select date_key from {{ ref('fct_plays') }}
    where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
{% endmacro %}

{#
  A hash of the ids of the track catalogs' silver batches (catalog sources and
  the Spotify Web API's lookups, whose batch ids change with a new lookup of
  the track, its artist or album): models built on the catalogs
  (dim_tracks, audio_features_by_genre, agg_genre_weeks) keep it as
  catalog_batches to tell whether the catalogs changed since their last run.
#}
{% macro catalog_batches() %}
    select hash(string_agg(batch_id, ',' order by batch_id)) as catalog_batches
    from (
        select batch_id from {{ ref('stg_tracks') }}
        union
        select batch_id from {{ ref('stg_spotify_tracks') }}
    )
{% endmacro %}
