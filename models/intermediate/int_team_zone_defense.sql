-- Grain: team_abbr, game_date. For each team on each date it plays (int_games, bounded by `start_date` /
-- `end_date`): field-goal percentage its opponents shot per zone over the team's last 15 games with shot data
-- of the season strictly before the date, minus the league's percentage in that zone over the season before
-- the date, in percentage points (positive = the defense allows more than the league). Needs var
-- team_min_games (default 3) games. Where the shot data does not cover the date (a season without a shot
-- file, the playoffs), the team's latest zone-defense profile before the date is carried forward: the state
-- after its latest defended game with shot data (its last 15 such games of that game's season, against the
-- league over that season through that game), zone_defense_source carried_shot_profile, with its age in
-- zone_defense_age_days; without one, NULL with no_shot_profile. Where covered: no_team_games, too_few_games.
{{ config(**date_range_incremental_config(cluster_by=['team_abbr'])) }}
{%- set min_games = var('team_min_games', 3) %}

with

games as (

    select * from {{ ref('int_games') }}
    where
        season_type in ('regular', 'play_in', 'playoffs')
        and {{ date_range_filter('game_date') }}

),

team_dates as (

    select distinct
        game_date,
        season,
        team_abbr
    from (
        select
            game_date,
            season,
            home_team_abbr as team_abbr
        from games
        union all
        select
            game_date,
            season,
            away_team_abbr as team_abbr
        from games
    ) as both_sides

),

coverage as (

    select * from {{ ref('int_shot_data_coverage') }}
    where {{ date_range_filter('game_date') }}

),

defended_games as (

    select
        defending_team_abbr as team_abbr,
        game_id,
        game_date,
        season,
        sum(paint_attempts) as paint_attempts,
        sum(paint_makes) as paint_makes,
        sum(mid_range_attempts) as mid_range_attempts,
        sum(mid_range_makes) as mid_range_makes,
        sum(three_attempts) as three_attempts,
        sum(three_makes) as three_makes
    from {{ ref('int_shot_zone_games') }}
    where
        defending_team_abbr is not null
        -- the dates' seasons (the league's and each team's figures are of the same season as the date) and
        -- the earlier ones a profile may be carried from
        and season <= (select max(team_dates.season) from team_dates)
    group by 1, 2, 3, 4

),

league_days as (

    select
        season,
        game_date,
        sum(paint_attempts) as paint_attempts,
        sum(paint_makes) as paint_makes,
        sum(mid_range_attempts) as mid_range_attempts,
        sum(mid_range_makes) as mid_range_makes,
        sum(three_attempts) as three_attempts,
        sum(three_makes) as three_makes
    from defended_games
    group by 1, 2

),

league_before as (

    select
        team_dates.season,
        team_dates.game_date,
        1.0 * sum(league_days.paint_makes) / nullif(sum(league_days.paint_attempts), 0) as league_paint_pct,
        1.0 * sum(league_days.mid_range_makes) / nullif(sum(league_days.mid_range_attempts), 0)
            as league_mid_range_pct,
        1.0 * sum(league_days.three_makes) / nullif(sum(league_days.three_attempts), 0) as league_three_pct
    from (select distinct
        season,
        game_date
    from team_dates) as team_dates
    inner join league_days
        on
            league_days.season = team_dates.season
            and league_days.game_date < team_dates.game_date
    group by 1, 2

),

team_before as (

    select
        team_abbr,
        game_date,
        count(*) as defended_games,
        1.0 * sum(paint_makes) / nullif(sum(paint_attempts), 0) as paint_pct_allowed,
        1.0 * sum(mid_range_makes) / nullif(sum(mid_range_attempts), 0) as mid_range_pct_allowed,
        1.0 * sum(three_makes) / nullif(sum(three_attempts), 0) as three_pct_allowed
    from (
        select
            team_dates.team_abbr,
            team_dates.game_date,
            defended_games.paint_attempts,
            defended_games.paint_makes,
            defended_games.mid_range_attempts,
            defended_games.mid_range_makes,
            defended_games.three_attempts,
            defended_games.three_makes,
            row_number() over (
                partition by team_dates.team_abbr, team_dates.game_date
                order by defended_games.game_date desc, defended_games.game_id desc
            ) as games_back
        from team_dates
        inner join defended_games
            on
                defended_games.team_abbr = team_dates.team_abbr
                and defended_games.season = team_dates.season
                and defended_games.game_date < team_dates.game_date
    ) as prior_defended_games
    where games_back <= 15
    group by 1, 2

),

combined as (

    select
        team_dates.team_abbr,
        team_dates.game_date,
        team_dates.season,
        coalesce(team_before.defended_games, 0) as defended_games,
        team_before.paint_pct_allowed,
        team_before.mid_range_pct_allowed,
        team_before.three_pct_allowed,
        league_before.league_paint_pct,
        league_before.league_mid_range_pct,
        league_before.league_three_pct,
        case
            when coalesce(coverage.is_covered, false) = false
                then coalesce(coverage.coverage_null_reason, 'no_shot_data_for_season')
            when coalesce(team_before.defended_games, 0) = 0 then 'no_team_games'
            when team_before.defended_games < {{ min_games }} then 'too_few_games'
        end as null_reason
    from team_dates
    left join team_before
        on
            team_before.team_abbr = team_dates.team_abbr
            and team_before.game_date = team_dates.game_date
    left join league_before
        on
            league_before.season = team_dates.season
            and league_before.game_date = team_dates.game_date
    left join coverage
        on
            coverage.season = team_dates.season
            and coverage.game_date = team_dates.game_date

),

-- where the shot data does not cover the date: the team's latest defended game with shot data before it
latest_defended as (

    select
        combined.team_abbr,
        combined.game_date,
        max(defended_games.game_date) as profile_date
    from combined
    inner join defended_games
        on
            defended_games.team_abbr = combined.team_abbr
            and defended_games.game_date < combined.game_date
    where combined.null_reason in ('no_shot_data_for_season', 'no_shot_data_for_date')
    group by 1, 2

),

carried_window as (

    select
        latest_defended.team_abbr,
        latest_defended.game_date,
        latest_defended.profile_date,
        profile_game.season as profile_season,
        defended_games.paint_attempts,
        defended_games.paint_makes,
        defended_games.mid_range_attempts,
        defended_games.mid_range_makes,
        defended_games.three_attempts,
        defended_games.three_makes,
        row_number() over (
            partition by latest_defended.team_abbr, latest_defended.game_date
            order by defended_games.game_date desc, defended_games.game_id desc
        ) as games_back
    from latest_defended
    inner join defended_games as profile_game
        on
            profile_game.team_abbr = latest_defended.team_abbr
            and profile_game.game_date = latest_defended.profile_date
    inner join defended_games
        on
            defended_games.team_abbr = latest_defended.team_abbr
            and defended_games.season = profile_game.season
            and defended_games.game_date <= latest_defended.profile_date

),

carried as (

    select
        carried_window.team_abbr,
        carried_window.game_date,
        carried_window.profile_date,
        count(*) as defended_games,
        1.0 * sum(carried_window.paint_makes) / nullif(sum(carried_window.paint_attempts), 0) as paint_pct_allowed,
        1.0 * sum(carried_window.mid_range_makes) / nullif(sum(carried_window.mid_range_attempts), 0)
            as mid_range_pct_allowed,
        1.0 * sum(carried_window.three_makes) / nullif(sum(carried_window.three_attempts), 0) as three_pct_allowed,
        min(carried_window.profile_season) as profile_season
    from carried_window
    where carried_window.games_back <= 15
    group by 1, 2, 3

),

carried_league as (

    select
        carried.team_abbr,
        carried.game_date,
        1.0 * sum(league_days.paint_makes) / nullif(sum(league_days.paint_attempts), 0) as league_paint_pct,
        1.0 * sum(league_days.mid_range_makes) / nullif(sum(league_days.mid_range_attempts), 0)
            as league_mid_range_pct,
        1.0 * sum(league_days.three_makes) / nullif(sum(league_days.three_attempts), 0) as league_three_pct
    from carried
    inner join league_days
        on
            league_days.season = carried.profile_season
            and league_days.game_date <= carried.profile_date
    group by 1, 2

),

with_carried as (

    select
        combined.*,
        carried.profile_date as carried_profile_date,
        carried.defended_games as carried_defended_games,
        carried.paint_pct_allowed as carried_paint_pct_allowed,
        carried.mid_range_pct_allowed as carried_mid_range_pct_allowed,
        carried.three_pct_allowed as carried_three_pct_allowed,
        carried_league.league_paint_pct as carried_league_paint_pct,
        carried_league.league_mid_range_pct as carried_league_mid_range_pct,
        carried_league.league_three_pct as carried_league_three_pct,
        coalesce(carried.defended_games >= {{ min_games }}, false) as carried_ok
    from combined
    left join carried
        on
            carried.team_abbr = combined.team_abbr
            and carried.game_date = combined.game_date
    left join carried_league
        on
            carried_league.team_abbr = combined.team_abbr
            and carried_league.game_date = combined.game_date

),

resolved as (

    select
        team_abbr,
        game_date,
        season,
        case when carried_ok then carried_defended_games else defended_games end as defended_games,
        case when carried_ok then carried_paint_pct_allowed else paint_pct_allowed end as paint_pct_allowed,
        case when carried_ok then carried_mid_range_pct_allowed else mid_range_pct_allowed end
            as mid_range_pct_allowed,
        case when carried_ok then carried_three_pct_allowed else three_pct_allowed end as three_pct_allowed,
        case when carried_ok then carried_league_paint_pct else league_paint_pct end as league_paint_pct,
        case when carried_ok then carried_league_mid_range_pct else league_mid_range_pct end as league_mid_range_pct,
        case when carried_ok then carried_league_three_pct else league_three_pct end as league_three_pct,
        case
            when null_reason is null then 'calculated'
            when carried_ok then 'carried_shot_profile'
        end as zone_defense_source,
        case when carried_ok then carried_profile_date end as zone_defense_profile_date,
        case
            when null_reason is null or carried_ok then null
            when null_reason in ('no_shot_data_for_season', 'no_shot_data_for_date') then 'no_shot_profile'
            else null_reason
        end as null_reason
    from with_carried

)

select
    team_abbr,
    game_date,
    season,
    defended_games,
    paint_pct_allowed,
    mid_range_pct_allowed,
    three_pct_allowed,
    league_paint_pct,
    league_mid_range_pct,
    league_three_pct,
    case when null_reason is null then 100.0 * (paint_pct_allowed - league_paint_pct) end
        as paint_defense_vs_league_avg,
    case when null_reason is null then 100.0 * (mid_range_pct_allowed - league_mid_range_pct) end
        as mid_range_defense_vs_league_avg,
    case when null_reason is null then 100.0 * (three_pct_allowed - league_three_pct) end
        as three_defense_vs_league_avg,
    zone_defense_source,
    zone_defense_profile_date,
    {{ days_between('zone_defense_profile_date', 'game_date') }} as zone_defense_age_days,
    null_reason as zone_defense_null_reason
from resolved
