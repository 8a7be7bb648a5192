-- Grain: game_id, team_abbr. For each team in each game, the injury report that was visible before the game:
-- the latest status snapshot dated on the game's ET date, strictly before tip-off and at or before `as_of`.
-- report_snapshot_at is NULL when no such report exists (the source is absent for that date).
-- A view: it depends on the `as_of` var, and reading the few snapshots of a date is cheaper than keeping a
-- copy per as_of.
{{ config(materialized='view') }}

with

games as (

    select * from {{ ref('int_games') }}

),

snapshots as (

    select distinct
        snapshot_at,
        snapshot_date_et
    from {{ ref('stg_injuries__status_snapshots') }}

),

team_games as (

    select
        game_id,
        game_date,
        tipoff_at,
        home_team_abbr as team_abbr
    from games
    union all
    select
        game_id,
        game_date,
        tipoff_at,
        away_team_abbr as team_abbr
    from games

),

-- one aggregation per team game (the latest visible snapshot of its date), so that a filter on the game date
-- of a reader reaches team_games and, through the join, the snapshots
visible_reports as (

    select
        team_games.game_id,
        team_games.game_date,
        team_games.team_abbr,
        team_games.tipoff_at,
        max(
            case when {{ snapshot_visible('snapshots.snapshot_at', 'team_games.tipoff_at') }} then snapshots.snapshot_at end
        ) as report_snapshot_at
    from team_games
    left join snapshots
        on snapshots.snapshot_date_et = team_games.game_date
    group by 1, 2, 3, 4

)

select
    game_id,
    game_date,
    team_abbr,
    tipoff_at,
    report_snapshot_at,
    report_snapshot_at is not null as has_injury_report
from visible_reports
