-- One row per minute of the day; time_key = hour * 60 + minute.
select
    cast(m as integer)                 as time_key,
    cast(m // 60 as integer)           as hour,
    cast(m % 60 as integer)            as minute,
    case
        when m // 60 < 6 then 'night'
        when m // 60 < 12 then 'morning'
        when m // 60 < 18 then 'afternoon'
        else 'evening'
    end                                as day_part
from range(0, 1440) as t(m)
