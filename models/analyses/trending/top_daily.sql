-- Without country, device or level filters: the all-listeners cube.
{{ dashboard_top_daily(ref('agg_track_days'), ref('agg_track_days'), sliced=false) }}
