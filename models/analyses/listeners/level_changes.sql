select coalesce(sum(upgrades), 0) as upgrades, coalesce(sum(downgrades), 0) as downgrades
from {{ ref('user_engagement') }}
