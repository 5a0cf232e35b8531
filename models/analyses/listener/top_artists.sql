{{ listener_plays() }}
{{ listener_top_per_year('any_value(artist_name) as artist_name', 'artist_id', 'mine') }}
