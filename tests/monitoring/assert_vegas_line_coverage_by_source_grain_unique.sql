-- Grain of vegas_line_coverage_by_source: one row per (game_date, line_source).
select
    game_date,
    line_source,
    count(*) as rows_per_key
from {{ ref('vegas_line_coverage_by_source') }}
group by
    game_date,
    line_source
having count(*) > 1
