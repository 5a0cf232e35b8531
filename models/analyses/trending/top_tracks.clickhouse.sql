{{ ch_top_tracks(ref('agg_track_days'), sliced=false) }}
