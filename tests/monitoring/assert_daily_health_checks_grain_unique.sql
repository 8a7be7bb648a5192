-- Grain of daily_health_checks: one row per (game_date, check_name).
select
    game_date,
    check_name,
    count(*) as rows_per_key
from {{ ref('daily_health_checks') }}
group by
    game_date,
    check_name
having count(*) > 1
