{% snapshot scd_tracks %}
{{ config(target_schema='snapshots', unique_key='track_id', strategy='check', check_cols=['track_name', 'artist_name', 'album_name', 'genre', 'duration_ms']) }}
-- Catalog attributes of each track as each run saw them.
select
    track_id,
    arg_max(name, source_format)          as track_name,
    arg_max(artist_name, source_format)   as artist_name,
    arg_max(album_name, source_format)    as album_name,
    arg_max(genre, source_format)         as genre,
    max(duration_ms)                      as duration_ms
from {{ source('silver', 'tracks') }}
group by track_id
{% endsnapshot %}
