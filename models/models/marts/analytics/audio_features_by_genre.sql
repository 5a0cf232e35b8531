-- Question 7: the distribution of each audio feature in each genre (catalog tracks).
with features as (
    unpivot (
        select genre, danceability, energy, valence, tempo, acousticness,
               instrumentalness, speechiness, liveness, loudness
        from {{ ref('dim_tracks') }}
        where in_catalog
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
    quantile_cont(feature_value, 0.90)        as p90
from features
where feature_value is not null
group by genre, feature
