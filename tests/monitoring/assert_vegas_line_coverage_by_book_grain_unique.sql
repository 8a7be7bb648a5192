-- Grain of vegas_line_coverage_by_book: one row per (game_date, line_source, book).
select
    game_date,
    line_source,
    book,
    count(*) as rows_per_key
from {{ ref('vegas_line_coverage_by_book') }}
group by
    game_date,
    line_source,
    book
having count(*) > 1
