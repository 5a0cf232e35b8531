{#
  SQL shared by the ClickHouse variants of the dashboard's queries
  (analyses/<endpoint>/<query>.clickhouse.sql), which `playlake serve --from
  clickhouse` runs on the tables the publish step loads there. They give the
  same answers as the DuckDB queries beside them, in SQL that ClickHouse 18.16
  runs: no window functions, no WITH subqueries, one JOIN per SELECT.
#}

{#
  round(`expr`, `digits`) as DuckDB rounds a double (half away from zero);
  ClickHouse's round() rounds floats half to even in current releases.
#}
{% macro ch_round(expr, digits) -%}
{%- if digits == 1 %}{% set scale = '10.0' %}{% else %}{% set scale = '100.0' %}{% endif -%}
(if(({{ expr }}) < 0, -floor(-({{ expr }}) * {{ scale }} + 0.5), floor(({{ expr }}) * {{ scale }} + 0.5)) / {{ scale }})
{%- endmacro %}

{# A boolean column: the serving side answers this Enum8 as JSON true/false (18.16 has no Bool). #}
{% macro ch_bool(expr) -%}
CAST({{ expr }} AS Nullable(Enum8('false' = 0, 'true' = 1)))
{%- endmacro %}

{# Plays, listeners and hours by `columns` under the filters, the `limit` most played. #}
{% macro ch_breakdown(cube, columns, limit) %}
select {{ columns }}, toInt64(sum(plays)) as plays, ifNull(uniqExact(user_key), 0) as listeners,
    {{ ch_round('sum(ms_played) / 3600000.0', 1) }} as listening_hours
from {{ cube }}
where {filters(date_key)}
group by {{ columns }}
order by plays desc, {{ columns }}
limit {{ limit }}
{% endmacro %}

{# The 20 most played tracks in `cube` under the filters (ties by track_id). #}
{% macro ch_top_tracks(cube, sliced) %}
select track_id, track_name, artist_name, plays
from (
    select track_key, toInt64(sum(plays)) as plays from {{ cube }}
    where {{ dashboard_cube_filter(sliced) }}
    group by track_key
)
all inner join (select track_key, track_id, track_name, artist_name from {{ ref('dim_tracks') }}) using (track_key)
order by plays desc, track_id
limit 20
{% endmacro %}

{#
  The five most played tracks of each of the newest 14 days in the range
  (ties by track_id), ranked by sorting each day's tracks in an array.
#}
{% macro ch_top_daily(cube, days_cube, sliced) %}
select toString(date_key) as date, toInt64(position) as rank, tupleElement(t, 3) as track_name,
    tupleElement(t, 4) as artist_name, tupleElement(t, 1) as plays
from (
    select date_key,
        arraySlice(arraySort(x -> (-tupleElement(x, 1), tupleElement(x, 2)),
                             groupArray((plays, track_id, track_name, artist_name))), 1, 5) as top
    from (
        select date_key, track_key, toInt64(sum(plays)) as plays from {{ cube }}
        where {{ dashboard_cube_filter(sliced) }}
            and date_key > (select max(date_key) - 14 from {{ days_cube }} where {dates(date_key)})
        group by date_key, track_key
    )
    all inner join (select track_key, track_id, track_name, artist_name from {{ ref('dim_tracks') }}) using (track_key)
    group by date_key
)
array join top as t, arrayEnumerate(top) as position
order by date_key desc, rank
{% endmacro %}

{#
  One listener's music plays under the filters, with their year and names: a
  subquery to select from (ClickHouse 18.16 has no WITH subqueries, so each
  query that reads them more than once repeats it).
#}
{% macro ch_listener_plays() %}
(
    select *
    from (
        select *
        from (
            select *, toYear(local_date) as year from {{ ref('fct_plays') }}
            where user_id = {user} and {filters(date_key)}
        )
        all inner join (select artist_key, artist_id, artist_name from {{ ref('dim_artists') }})
            using (artist_key)
    )
    all inner join (select track_key, track_id, track_name from {{ ref('dim_tracks') }})
        using (track_key)
)
{% endmacro %}

{#
  The five items (`key`) with the most listening time per year, from `plays`
  (ties by plays, then key): `names` are the items' name columns as selected
  per item, `names_out` how they are read back from the tuple `names` of each
  ranked item (tupleElement(names, 1) as ..., ...).
#}
{% macro ch_top_per_year(names, names_out, key, plays) %}
select year, {{ names_out }}, plays, hours, toInt64(position) as rank
from (
    select year, tupleElement(t, 3) as plays, tupleElement(t, 4) as hours,
        tupleElement(t, 5) as names, position
    from (
        select year,
            arraySlice(arraySort(x -> (-tupleElement(x, 1), -tupleElement(x, 3), tupleElement(x, 2)),
                                 groupArray((ms, item, plays, hours, names))), 1, 5) as top
        from (
            select year, {{ key }} as item, sum(ms_played) as ms, toInt64(count()) as plays,
                {{ ch_round('sum(ms_played) / 3600000.0', 2) }} as hours, tuple({{ names }}) as names
            from {{ plays }}
            group by year, {{ key }}
        )
        group by year
    )
    array join top as t, arrayEnumerate(top) as position
)
order by year desc, rank
{% endmacro %}

{# One listener's podcast and audiobook plays under the filters but level, with their year. #}
{% macro ch_listener_spoken() %}
(
    select *, toYear(date_key) as year
    from {{ ref('fct_episode_plays') }}
    where user_id = {user} and {filters_except_level(date_key)}
)
{% endmacro %}
