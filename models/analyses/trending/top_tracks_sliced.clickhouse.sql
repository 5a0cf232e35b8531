{{ ch_top_tracks(ref('agg_track_slices'), sliced=true) }}
