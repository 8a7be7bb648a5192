-- Grain: season, game_date. For every date with games (int_games), whether the shot source covers the
-- history a feature for that date reads: the season has shot data at all, and the shot data reaches the
-- latest game day of the season before the date. Drives the null reasons no_shot_data_for_season and
-- no_shot_data_for_date of the shot-zone features (a missing source is never read as zero attempts).
-- A view: one row per game date, from stored models.
{{ config(materialized='view') }}

with

game_dates as (

    select distinct
        season,
        game_date
    from {{ ref('int_games') }}

),

shot_seasons as (

    select
        season,
        min(game_date) as first_shot_date,
        max(game_date) as last_shot_date
    from {{ ref('stg_nba_stats__shots') }}
    group by 1

),

played_days as (

    select distinct
        season,
        game_date
    from {{ ref('int_team_games') }}

),

previous_game_day as (

    select
        game_dates.season,
        game_dates.game_date,
        max(played_days.game_date) as previous_game_date
    from game_dates
    left join played_days
        on
            played_days.season = game_dates.season
            and played_days.game_date < game_dates.game_date
    group by 1, 2

)

select
    previous_game_day.season,
    previous_game_day.game_date,
    previous_game_day.previous_game_date,
    shot_seasons.last_shot_date,
    shot_seasons.season is not null as season_has_shot_data,
    shot_seasons.season is not null
    and (
        previous_game_day.previous_game_date is null
        or shot_seasons.last_shot_date >= previous_game_day.previous_game_date
    ) as is_covered,
    case
        when shot_seasons.season is null then 'no_shot_data_for_season'
        when
            previous_game_day.previous_game_date is not null
            and shot_seasons.last_shot_date < previous_game_day.previous_game_date then 'no_shot_data_for_date'
    end as coverage_null_reason
from previous_game_day
left join shot_seasons
    on shot_seasons.season = previous_game_day.season
