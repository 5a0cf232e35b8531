-- Podcast and audiobook plays carry no level: every filter but level applies.
with spoken as (
    select *, year(date_key) as year
    from {{ ref('fct_episode_plays') }}
    where user_id = {user} and {filters_except_level(date_key)}
)
{{ listener_top_per_year('any_value(show_name) as show_name, any_value(kind) as kind', 'show_id', 'spoken') }}
