-- Sparkify "songplays": every play, matched to a catalogued song by id or, as the
-- classic exercise does, by title, artist name and duration (to the millisecond)
-- after silver's text repair. Unmatched plays keep NULL song_id and artist_id.
with plays as (
    select * from {{ ref('stg_plays') }}
),

songs as (
    select s.song_id, s.title, s.duration, s.artist_id, a.name as artist_name
    from {{ ref('songs') }} as s
    left join {{ ref('artists') }} as a on s.artist_id = a.artist_id
),

-- Plays without a catalogued song id, matched on the names (an equi-join)
-- and then the duration. Plays matched by id join the songs directly below,
-- so no join of all plays back to a list of all plays is needed.
not_by_id as (
    select p.* from plays as p
    where not exists (select 1 from songs as s where s.song_id = p.track_id)
),

by_name as (
    select p.play_id, min(s.song_id) as song_id, min(s.artist_id) as artist_id
    from not_by_id as p
    join songs as s on p.track_name = s.title and p.artist_name = s.artist_name
    where abs(p.duration_ms - round(s.duration * 1000)) <= 1
    group by p.play_id
)

select
    p.play_id                                           as songplay_id,
    p.played_at                                         as start_time,
    p.user_id,
    p.level,
    coalesce(i.song_id, n.song_id)                      as song_id,
    coalesce(i.artist_id, n.artist_id)                  as artist_id,
    p.session_id,
    concat_ws(', ', p.city, p.region)                   as location,
    p.user_agent
from plays as p
left join songs as i on p.track_id = i.song_id
left join by_name as n on p.play_id = n.play_id
