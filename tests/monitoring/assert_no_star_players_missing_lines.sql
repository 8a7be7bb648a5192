{{ config(severity='warn') }}
-- Must be empty (dbt-project-evaluator style): star players who play without a pre-tip-off line. A warning,
-- not an error: history holds dates before any line source existed, and a bad day must not fail the build.
-- `nba-props validate-daily --date D` turns the rows of one date into exit code 2.
select
    game_date,
    player_lookup,
    missing_line_reason
from {{ ref('star_players_missing_lines') }}
