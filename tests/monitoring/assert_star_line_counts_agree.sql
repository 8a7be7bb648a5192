-- The daily coverage count of stars without a line must equal the alert rows of the same date: two views of
-- one fact (a mismatch means one of the two models classifies stars or lines differently).
with alert_counts as (

    select
        game_date,
        count(*) as alert_rows
    from {{ ref('star_players_missing_lines') }}
    group by game_date

)

select
    coverage.game_date,
    coverage.star_players_missing_line,
    coalesce(alert_counts.alert_rows, 0) as alert_rows
from {{ ref('vegas_line_coverage_daily') }} as coverage
left join alert_counts
    on coverage.game_date = alert_counts.game_date
where coverage.star_players_missing_line != coalesce(alert_counts.alert_rows, 0)
