-- A view, read once: dim_tracks holds it as a table (with the "unknown"
-- member), and dim_artists and dim_albums read that.
-- Every track anyone played or any catalog lists: catalog attributes where a
-- catalog has the track, otherwise the names the plays carried (macro
-- unified_tracks, which dim_tracks also runs over the tracks it rewrites).
{{ unified_tracks(ref('int_catalog_tracks'), ref('int_tracks_played')) }}
