{{ ch_breakdown(ref('agg_listener_days'), 'country', 250) }}
