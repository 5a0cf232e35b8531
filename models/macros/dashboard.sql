{#
  SQL shared by the dashboard's queries (analyses/). Besides ref(), those
  queries hold the dashboard's request placeholders, filled in per request
  with bound parameters (docs/models.md, "Exposures"):
    {filters(expr)}               the date range on expr, country, device, level
    {filters_except_level(expr)}  the same without level
    {dates(expr)}                 the date range on expr only
    {user}                        the listener the page shows
#}

{# The filters a track cube takes: all of them when it is `sliced`, else the date range. #}
{% macro dashboard_cube_filter(sliced) -%}
{% if sliced %}{filters(date_key)}{% else %}{dates(date_key)}{% endif %}
{%- endmacro %}

{# Plays, listeners and hours by `columns` under the filters, the `limit` most played. #}
{% macro dashboard_breakdown(cube, columns, limit) %}
select {{ columns }}, sum(plays)::bigint as plays, count(distinct user_key) as listeners,
    round(sum(ms_played) / 3600000.0, 1) as listening_hours
from {{ cube }}
where {filters(date_key)}
group by all
order by plays desc, {{ columns }}
limit {{ limit }}
{% endmacro %}

{#
  The 20 most played tracks in `cube` under the filters (ties by track_id).
  Only a `sliced` cube has country, device and level; the other one answers
  when none of them is set, so the date range is its whole filter.
#}
{% macro dashboard_top_tracks(cube, sliced) %}
with totals as (
    select track_key, sum(plays)::bigint as plays from {{ cube }}
    where {{ dashboard_cube_filter(sliced) }}
    group by track_key
),
top as (
    select * from totals
    where plays >= (select min(plays) from (select plays from totals order by plays desc limit 20))
)
select t.track_id, t.track_name, t.artist_name, top.plays
from top
join {{ ref('dim_tracks') }} t on top.track_key = t.track_key
order by top.plays desc, t.track_id
limit 20
{% endmacro %}

{#
  The five most played tracks of each of the newest 14 days in the range: a
  top-5 aggregate finds each day's cut, and only the tracks at or above it are
  joined and ranked (ties by track_id). The window ends at the range's newest
  day with plays, read from the small cube `days_cube` so that `cube` (sliced
  when a country, device or level filter is set) is scanned once.
#}
{% macro dashboard_top_daily(cube, days_cube, sliced) %}
with bound as (select max(date_key) - 14 as after from {{ days_cube }} where {dates(date_key)}),
days as (
    select date_key, track_key, plays from {{ cube }}
    where {{ dashboard_cube_filter(sliced) }} and date_key > (select after from bound)
),
daily as (
{%- if sliced %}
    select date_key, track_key, sum(plays)::bigint as plays from days group by date_key, track_key
{%- else %}
    select date_key, track_key, plays from days
{%- endif %}
),
cut as (select date_key, list_min(max(plays, 5)) as plays from daily group by date_key),
ranked as (
    select d.date_key, d.plays, t.track_name, t.artist_name,
        row_number() over (partition by d.date_key order by d.plays desc, t.track_id) as rank
    from daily d
    join cut c on d.date_key = c.date_key and d.plays >= c.plays
    join {{ ref('dim_tracks') }} t on d.track_key = t.track_key
    qualify rank <= 5
)
select date_key::varchar as date, rank, track_name, artist_name, plays
from ranked
order by date_key desc, rank
{% endmacro %}

{#
  One listener's music plays under the filters, with their year and names
  (`mine`); the queries of the listener page continue after it with
  ", more_ctes as (...) select ...". The filters apply to the plays alone
  (dim_artists has a country of its own).
#}
{% macro listener_plays() %}
with mine as (
    select f.*, year(f.local_date) as year, a.artist_id, a.artist_name, t.track_id, t.track_name
    from (
        select * from {{ ref('fct_plays') }} where user_id = {user} and {filters(date_key)}
    ) f
    join {{ ref('dim_artists') }} a using (artist_key)
    join {{ ref('dim_tracks') }} t using (track_key)
)
{% endmacro %}

{# The five items (`key`, named by `names`) with the most listening time per year, from `plays`. #}
{% macro listener_top_per_year(names, key, plays) %}
select year, {{ names }}, count(*) as plays, round(sum(ms_played) / 3600000.0, 2) as hours,
    row_number() over (partition by year order by sum(ms_played) desc, count(*) desc, {{ key }}) as rank
from {{ plays }}
group by year, {{ key }}
qualify rank <= 5
order by year desc, rank
{% endmacro %}
