{{ ch_top_per_year('any(track_name), any(artist_name)', 'tupleElement(names, 1) as track_name, tupleElement(names, 2) as artist_name', 'track_id', ch_listener_plays()) }}
