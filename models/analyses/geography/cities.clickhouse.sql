{{ ch_breakdown(ref('agg_listener_days'), 'country, city', 25) }}
