-- One row per track a catalog lists (the first source by name when several
-- do): what fct_plays takes its genre from and int_tracks_unified starts from.
select *
from {{ ref('stg_tracks') }}
qualify row_number() over (partition by track_id order by source_format, track_name) = 1
