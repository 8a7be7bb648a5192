-- Grain of player_line_coverage: one row per (game_date, player_lookup).
select
    game_date,
    player_lookup,
    count(*) as rows_per_key
from {{ ref('player_line_coverage') }}
group by
    game_date,
    player_lookup
having count(*) > 1
