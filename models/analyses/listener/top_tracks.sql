{{ listener_plays() }}
{{ listener_top_per_year('any_value(track_name) as track_name, any_value(artist_name) as artist_name', 'track_id', 'mine') }}
