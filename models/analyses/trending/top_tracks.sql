-- The 20 most played tracks under the filters; ties break by track_id.
{{ dashboard_top_tracks(ref('agg_track_days'), sliced=false) }}
