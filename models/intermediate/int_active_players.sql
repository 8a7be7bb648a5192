-- Grain: player_lookup, game_date. Every player with at least one played game this season strictly before a
-- date with games (int_games, bounded by the `start_date` / `end_date` vars), with the team, id and name of his
-- latest played game before the date (the roster he is on as far as box scores tell), whether or not that team
-- plays on the date. The spine of player_daily_cache.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
with

game_dates as (

    select distinct
        game_date,
        season
    from {{ ref('int_games') }}
    where
        season_type in ('regular', 'play_in', 'playoffs')
        and {{ date_range_filter('game_date') }}

),

-- each played game is the player's latest game for the dates after it up to and including his next game,
-- so one range join finds every active player's latest game (and team) before each date; only the seasons
-- of the dates are read (the next game is looked up within the player's season, so nothing else can match)
played_intervals as (

    select
        player_lookup,
        player_id,
        player_name,
        team_abbr,
        season,
        game_date,
        lead(game_date) over (partition by player_lookup, season order by game_date, game_id) as next_game_date
    from {{ ref('int_player_games') }}
    where
        not is_dnp
        and season in (select game_dates.season from game_dates)

)

select
    played_intervals.player_lookup,
    game_dates.game_date,
    game_dates.season,
    played_intervals.player_id,
    played_intervals.player_name,
    played_intervals.team_abbr
from game_dates
inner join played_intervals
    on
        played_intervals.season = game_dates.season
        and played_intervals.game_date < game_dates.game_date
        and (played_intervals.next_game_date >= game_dates.game_date or played_intervals.next_game_date is null)
