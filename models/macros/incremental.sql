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
  A filter the dimensions built incrementally by key (dim_artists,
  dim_albums) put on each of their inputs: on incremental runs, only the rows
  of the keys chosen for this run, unless every key is rebuilt.
  REQUIRES: in the calling model, when is_incremental(), the CTEs
  refresh_all (one boolean column, yes: rebuild every key) and chosen (one
  column, key: the keys to rebuild). Renders as " and (...)".
#}
{% macro chosen_keys_only(column) -%}
{% if is_incremental() %} and ((select yes from refresh_all) or {{ column }} in (select key from chosen)){% endif %}
{%- endmacro %}
