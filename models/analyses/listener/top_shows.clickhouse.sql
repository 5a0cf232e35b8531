{{ ch_top_per_year('any(show_name), any(kind)', 'tupleElement(names, 1) as show_name, tupleElement(names, 2) as kind', 'show_id', ch_listener_spoken()) }}
