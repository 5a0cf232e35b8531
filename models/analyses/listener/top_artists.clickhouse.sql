{{ ch_top_per_year('any(artist_name)', 'tupleElement(names, 1) as artist_name', 'artist_id', ch_listener_plays()) }}
