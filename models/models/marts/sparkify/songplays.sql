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

matched as (
    select
        p.play_id,
        coalesce(by_id.song_id, by_name.song_id)        as song_id,
        coalesce(by_id.artist_id, by_name.artist_id)    as artist_id
    from plays as p
    left join songs as by_id on p.track_id = by_id.song_id
    left join songs as by_name
        on by_id.song_id is null
        and p.track_name = by_name.title
        and p.artist_name = by_name.artist_name
        and abs(p.duration_ms - round(by_name.duration * 1000)) <= 1
    qualify row_number() over (partition by p.play_id order by by_name.song_id) = 1
)

select
    p.play_id                                           as songplay_id,
    p.played_at                                         as start_time,
    p.user_id,
    p.level,
    m.song_id,
    m.artist_id,
    p.session_id,
    concat_ws(', ', p.city, p.region)                   as location,
    p.user_agent
from plays as p
join matched as m on p.play_id = m.play_id
