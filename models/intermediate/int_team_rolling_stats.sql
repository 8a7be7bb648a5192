-- Grain: team_abbr, game_date. One row per team per scheduled or played game date (int_games, bounded by
-- `start_date` / `end_date`), from the team's games of the same season strictly before the date.
-- The team's own features: team_pace and team_off_rating (last 10 games, need var team_min_games, default 3),
-- team_win_pct (season, needs 5 games). The opponent features opponent_def_rating and opponent_pace are the
-- opponent's own last-15 defensive rating and pace (read from the opponent's row of the same date), so the
-- feature store reads all five from the player's team row.
{{ config(**date_range_incremental_config(cluster_by=['team_abbr'])) }}
{%- set min_games = var('team_min_games', 3) %}

with

games as (

    select * from {{ ref('int_games') }}
    where
        season_type in ('regular', 'play_in', 'playoffs')
        and {{ date_range_filter('game_date') }}

),

team_games as (

    -- a team's rolling stats read its games of the same season
    select * from {{ ref('int_team_games') }}
    where season in (select games.season from games)

),

team_dates as (

    -- both sides of every game; distinct outside a union all (one shape that every engine and emulator reads alike)
    select distinct
        game_date,
        season,
        team_abbr,
        opponent_team_abbr
    from (
        select
            game_date,
            season,
            home_team_abbr as team_abbr,
            away_team_abbr as opponent_team_abbr
        from games
        union all
        select
            game_date,
            season,
            away_team_abbr as team_abbr,
            home_team_abbr as opponent_team_abbr
        from games
    ) as both_sides

),

prior_games as (

    select
        team_dates.team_abbr,
        team_dates.game_date,
        team_games.pace,
        team_games.offensive_rating,
        team_games.defensive_rating,
        team_games.is_win,
        row_number() over (
            partition by team_dates.team_abbr, team_dates.game_date
            order by team_games.game_date desc, team_games.game_id desc
        ) as games_back
    from team_dates
    inner join team_games
        on
            team_games.team_abbr = team_dates.team_abbr
            and team_games.season = team_dates.season
            and team_games.game_date < team_dates.game_date

),

aggregated as (

    select
        team_abbr,
        game_date,
        count(*) as team_games_season,
        max(case when games_back = 1 then 1 end) as has_previous_game,
        avg(case when games_back <= 10 then pace end) as pace_last_10,
        avg(case when games_back <= 10 then offensive_rating end) as off_rating_last_10,
        avg(case when games_back <= 15 then pace end) as pace_last_15,
        avg(case when games_back <= 15 then defensive_rating end) as def_rating_last_15,
        avg(case when is_win then 1.0 else 0.0 end) as win_pct_season
    from prior_games
    group by 1, 2

),

team_rows as (

    select
        team_dates.team_abbr,
        team_dates.game_date,
        team_dates.season,
        team_dates.opponent_team_abbr,
        coalesce(aggregated.team_games_season, 0) as team_games_season,
        case when aggregated.team_games_season >= {{ min_games }} then aggregated.pace_last_10 end as pace_last_10,
        case when aggregated.team_games_season >= {{ min_games }} then aggregated.off_rating_last_10 end
            as off_rating_last_10,
        case when aggregated.team_games_season >= {{ min_games }} then aggregated.pace_last_15 end as pace_last_15,
        case when aggregated.team_games_season >= {{ min_games }} then aggregated.def_rating_last_15 end
            as def_rating_last_15,
        case when aggregated.team_games_season >= 5 then aggregated.win_pct_season end as win_pct_season,
        case
            when coalesce(aggregated.team_games_season, 0) = 0 then 'no_team_games'
            when aggregated.team_games_season < {{ min_games }} then 'too_few_games'
        end as rolling_null_reason,
        case
            when coalesce(aggregated.team_games_season, 0) = 0 then 'no_team_games'
            when aggregated.team_games_season < 5 then 'too_few_games'
        end as win_pct_null_reason
    from team_dates
    left join aggregated
        on
            aggregated.team_abbr = team_dates.team_abbr
            and aggregated.game_date = team_dates.game_date

),

team_rows_with_opponent as (

    select
        team.team_abbr,
        team.game_date,
        team.season,
        team.opponent_team_abbr,
        team.team_games_season,
        team.pace_last_10,
        team.off_rating_last_10,
        team.pace_last_15,
        team.def_rating_last_15,
        -- 22, 23, 24: the team's own
        team.pace_last_10 as team_pace,
        team.rolling_null_reason as team_pace_null_reason,
        team.off_rating_last_10 as team_off_rating,
        team.rolling_null_reason as team_off_rating_null_reason,
        team.win_pct_season as team_win_pct,
        team.win_pct_null_reason as team_win_pct_null_reason,
        -- 13, 14: the opponent's last 15 games
        opponent.def_rating_last_15 as opponent_def_rating,
        case when opponent.team_abbr is null then 'no_team_games' else opponent.rolling_null_reason end
            as opponent_def_rating_null_reason,
        opponent.pace_last_15 as opponent_pace,
        case when opponent.team_abbr is null then 'no_team_games' else opponent.rolling_null_reason end
            as opponent_pace_null_reason,
        -- the opponent's last-10 pace, for the expected game pace of the pace composite
        opponent.pace_last_10 as opponent_pace_last_10
    from team_rows as team
    left join team_rows as opponent
        on
            opponent.team_abbr = team.opponent_team_abbr
            and opponent.game_date = team.game_date

)

select {{ contract_columns() }}
from team_rows_with_opponent
