{{ ch_breakdown(ref('agg_listener_days'), 'country, region, region_name', 25) }}
