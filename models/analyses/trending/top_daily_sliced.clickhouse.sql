{{ ch_top_daily(ref('agg_track_slices'), ref('agg_track_days'), sliced=true) }}
