-- Grain of star_players_missing_lines: one row per (game_date, player_lookup).
select
    game_date,
    player_lookup,
    count(*) as rows_per_key
from {{ ref('star_players_missing_lines') }}
group by
    game_date,
    player_lookup
having count(*) > 1
