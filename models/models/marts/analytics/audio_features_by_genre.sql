{{ config(materialized='incremental', unique_key='feature') }}
-- Question 7: the distribution of each audio feature in each genre (catalog tracks).
--
-- It depends on the catalogs alone (a catalog track's genre and features come
-- from its catalog row, never from plays), so a run recomputes it only when
-- the catalogs' silver batches changed (catalog_batches, a hash of their ids)
-- and otherwise adds nothing: the quantiles cost more than anything else a run
-- after new plays does with the catalog. When it does, every feature's rows are
-- replaced (delete+insert on feature).
with catalog as (
    {{ catalog_batches() }}
),

features as (
    unpivot (
        select genre, danceability, energy, valence, tempo, acousticness,
               instrumentalness, speechiness, liveness, loudness
        from {{ ref('dim_tracks') }}
        where in_catalog
        {% if is_incremental() %}
        and (select catalog_batches from catalog)
            is distinct from (select max(catalog_batches) from {{ this }})
        {% endif %}
    )
    on danceability, energy, valence, tempo, acousticness, instrumentalness, speechiness, liveness, loudness
    into name feature value feature_value
)

select
    genre,
    feature,
    count(*)                                  as tracks,
    -- Summed as DECIMAL (exact, so the same in every build whatever order
    -- the rows come in), then divided.
    avg(feature_value::decimal(38, 10))       as mean,
    quantile_cont(feature_value, 0.10)        as p10,
    quantile_cont(feature_value, 0.25)        as p25,
    quantile_cont(feature_value, 0.50)        as median,
    quantile_cont(feature_value, 0.75)        as p75,
    quantile_cont(feature_value, 0.90)        as p90,
    (select catalog_batches from catalog)     as catalog_batches
from features
where feature_value is not null
group by genre, feature
