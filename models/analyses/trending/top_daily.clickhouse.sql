{{ ch_top_daily(ref('agg_track_days'), ref('agg_track_days'), sliced=false) }}
