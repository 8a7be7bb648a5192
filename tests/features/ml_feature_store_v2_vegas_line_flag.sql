-- has_vegas_line (feature 28) is 1 exactly when the current line (feature 25) is a real line, and it is never
-- a default; the line provenance columns are set exactly then.
with store as ({{ feature_store_rows_in_range() }})

select
    player_lookup,
    game_date,
    has_vegas_line,
    vegas_points_line,
    vegas_points_line_source,
    vegas_line_book
from store
where
    has_vegas_line is null
    or has_vegas_line_source in ('default', 'missing')
    or (has_vegas_line = 1) != (vegas_points_line_source = 'vegas')
    or (has_vegas_line = 1) != (vegas_line_book is not null)
