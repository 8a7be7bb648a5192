-- At most one open gap episode per player-date, and a resolved gap is resolved after it was detected.
select
    player_lookup,
    game_date,
    count(*) as open_episodes
from {{ ref('feature_store_gaps') }}
where resolved_at is null
group by player_lookup, game_date
having count(*) > 1

union all

select
    player_lookup,
    game_date,
    0 as open_episodes
from {{ ref('feature_store_gaps') }}
where
    resolved_at < detected_at
    or (resolved_at is null) != (resolved_by is null)
