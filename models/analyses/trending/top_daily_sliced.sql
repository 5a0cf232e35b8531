-- With a country, device or level filter: the cube sliced by them.
{{ dashboard_top_daily(ref('agg_track_slices'), ref('agg_track_days'), sliced=true) }}
