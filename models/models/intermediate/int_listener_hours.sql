{{ config(materialized='incremental', unique_key=['user_key', 'local_weekday', 'local_hour']) }}
-- Every (listener, local weekday, local hour) with plays, with the loaded_at
-- of the run that first brought one: hourly_activity counts the listeners new
-- to an hour from the rows loaded after its last run, instead of probing
-- every earlier play of the new plays' listeners (after one more day on the
-- benchmark most listeners are in the new plays, so that probe read all 5M
-- plays; this table has about 730,000 rows).
--
-- Incremental: a run adds the triples of the plays loaded since its last one
-- that it does not hold. When fct_plays was rebuilt since (its loaded_at
-- values are all new), every triple is written again with them.
with new_plays as (
    select user_key, local_weekday, local_hour, loaded_at from {{ ref('fct_plays') }}
    {% if is_incremental() %}
    where {{ loaded_since_this() }}
    {% endif %}
)

select user_key, local_weekday, local_hour, min(loaded_at) as loaded_at
from new_plays
{% if is_incremental() %}
anti join (select * from {{ this }} where {{ stored_counts_hold() }}) as stored
    using (user_key, local_weekday, local_hour)
{% endif %}
group by user_key, local_weekday, local_hour
