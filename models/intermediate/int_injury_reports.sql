-- Grain: game_id, team_abbr. For each team in each game, the injury report that was visible before the game:
-- the latest status snapshot dated on the game's ET date, strictly before tip-off and at or before `as_of`.
-- report_snapshot_at is NULL when no such report exists (the source is absent for that date).
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

visible_reports as (

    select
        team_games.game_id,
        team_games.team_abbr,
        max(snapshots.snapshot_at) as report_snapshot_at
    from team_games
    inner join snapshots
        on
            snapshots.snapshot_date_et = team_games.game_date
            and {{ snapshot_visible('snapshots.snapshot_at', 'team_games.tipoff_at') }}
    group by 1, 2

)

select
    team_games.game_id,
    team_games.game_date,
    team_games.team_abbr,
    team_games.tipoff_at,
    visible_reports.report_snapshot_at,
    visible_reports.report_snapshot_at is not null as has_injury_report
from team_games
left join visible_reports
    on
        team_games.game_id = visible_reports.game_id
        and team_games.team_abbr = visible_reports.team_abbr
