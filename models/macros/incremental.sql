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

{#
  The CTEs of a dimension built incrementally on the tracks dim_tracks
  rewrote (dim_artists, dim_albums), keyed by `key` (artist_id, album_id):
    versions      the marks each row keeps: catalog_hash (a hash of the
                  calling model's `catalog` CTE, over `catalog_columns`),
                  dim_tracks' catalog_batches and its latest loaded_at;
  and, when is_incremental():
    chosen        (key) the keys of the dim_tracks rows rewritten since this
                  table's latest loaded_at, and every key those tracks'
                  int_track_attributions rows name (the artist or album a
                  re-attributed track had before);
    refresh_all   (yes) whether a catalog changed, so every key is rebuilt.
  Each is followed by a comma. REQUIRES: a CTE named catalog before the call.
#}
{% macro keys_of_rewritten_tracks(key, catalog_columns) %}
versions as (
    select
        (select bit_xor(hash({{ catalog_columns }})) from catalog)      as catalog_hash,
        (select max(catalog_batches) from {{ ref('dim_tracks') }})      as catalog_batches,
        (select max(loaded_at) from {{ ref('dim_tracks') }})            as loaded_at
),
{% if is_incremental() %}
changed_tracks as (
    select track_id, {{ key }} from {{ ref('dim_tracks') }}
    where loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
),

chosen as (
    select {{ key }} as key from changed_tracks
    union
    select {{ key }} from {{ ref('int_track_attributions') }}
    where track_id in (select track_id from changed_tracks)
),

refresh_all as (
    select v.catalog_hash is distinct from t.catalog_hash
        or v.catalog_batches is distinct from t.catalog_batches as yes
    from versions as v, (select max(catalog_hash) as catalog_hash, max(catalog_batches) as catalog_batches
                         from {{ this }}) as t
),
{% endif %}
{% endmacro %}

{#
  The filter such a dimension puts on each of its inputs: on incremental
  runs, only the rows of the chosen keys, unless every key is rebuilt.
  Renders as " and (...)". REQUIRES: keys_of_rewritten_tracks's CTEs.
#}
{% macro chosen_keys_only(column) -%}
{% if is_incremental() %} and ((select yes from refresh_all) or {{ column }} in (select key from chosen)){% endif %}
{%- endmacro %}

{#
  The filter on a model the calling model reads (fct_plays, or a model built
  on it) that takes its rows loaded after the latest loaded_at the calling
  model holds: every row when it holds none.
  REQUIRES: is_incremental() in the calling model.
#}
{% macro loaded_since_this() -%}
loaded_at > (select coalesce(max(loaded_at), timestamp '-infinity') from {{ this }})
{%- endmacro %}

{#
  For the models that add the counts of the plays fct_plays loaded since
  their last run (loaded_since_this) to the rows they hold (unique_key: the
  grouping columns): whether the stored counts may be added to. They may not
  when fct_plays was rebuilt since (every play then has a loaded_at after
  this table's latest, so every play counts as new): the new rows then
  replace the stored ones instead of adding to them.
  REQUIRES: is_incremental() in the calling model.
#}
{% macro stored_counts_hold() -%}
(select min(loaded_at) from {{ ref('fct_plays') }}) <= (select max(loaded_at) from {{ this }})
{%- endmacro %}

{#
  Every track of `catalog` (int_catalog_tracks' columns) or `played`
  (int_tracks_played's): catalog attributes where the catalog has the track,
  otherwise the names the plays carried. int_tracks_unified is this over both
  tables; dim_tracks runs it over the rows of the tracks it rewrites.
#}
{% macro unified_tracks(catalog, played) %}
select
    coalesce(c.track_id, p.track_id)          as track_id,
    coalesce(c.track_name, p.track_name)      as track_name,
    coalesce(c.artist_id, p.artist_id)        as artist_id,
    coalesce(c.artist_name, p.artist_name)    as artist_name,
    coalesce(c.album_id, p.album_id)          as album_id,
    coalesce(c.album_name, p.album_name)      as album_name,
    c.genre,
    coalesce(c.duration_ms, p.duration_ms)    as duration_ms,
    c.release_date,
    c.explicit,
    c.danceability,
    c.energy,
    c.valence,
    c.tempo,
    c.acousticness,
    c.instrumentalness,
    c.speechiness,
    c.liveness,
    c.loudness,
    c.track_id is not null                    as in_catalog
from {{ catalog }} as c
full outer join {{ played }} as p on c.track_id = p.track_id
{% endmacro %}
