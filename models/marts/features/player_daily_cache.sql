-- Grain: player_lookup, game_date. One row per active season player per date with games (bounded by the
-- `start_date` / `end_date` vars): every player who played at least one game this season before the date,
-- with the team of his latest game (the roster he is on as far as box scores tell), whether or not that team
-- plays on the date. Rolling stats (features 0-4, 31, 32 and the minutes/usage inputs of the composite
-- factors) strictly before the date, from the shared macro player_prior_game_stats.
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

player_games as (

    select * from {{ ref('int_player_games') }}

),

teams_playing as (

    select distinct
        game_date,
        team_abbr
    from (
        select
            game_date,
            home_team_abbr as team_abbr
        from {{ ref('int_games') }}
        union all
        select
            game_date,
            away_team_abbr as team_abbr
        from {{ ref('int_games') }}
    ) as both_sides

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
    from player_games
    where
        not is_dnp
        and season in (select game_dates.season from game_dates)

),

active_players as (

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

),

stats as (

    {{ player_prior_game_stats('active_players', 'player_games') }}

)

select
    active_players.player_lookup,
    active_players.game_date,
    active_players.season,
    active_players.player_id,
    active_players.player_name,
    active_players.team_abbr,
    teams_playing.team_abbr is not null as team_plays_on_date,
    stats.games_played_season,
    stats.last_played_date,
    stats.days_since_last_game,
    stats.points_avg_last_5,
    stats.points_avg_last_5_null_reason,
    stats.points_avg_last_10,
    stats.points_avg_last_10_null_reason,
    stats.points_avg_season,
    stats.points_avg_season_null_reason,
    stats.points_std_last_10,
    stats.points_std_last_10_null_reason,
    stats.games_in_last_7_days,
    stats.games_in_last_7_days_null_reason,
    stats.minutes_avg_last_10,
    stats.minutes_avg_last_10_null_reason,
    stats.ppm_avg_last_10,
    stats.ppm_avg_last_10_null_reason,
    stats.minutes_avg_season,
    stats.minutes_in_last_7_days,
    stats.games_in_last_14_days,
    stats.back_to_backs_last_14_days,
    stats.usage_avg_last_7,
    stats.usage_avg_season
from active_players
inner join stats
    on
        stats.player_lookup = active_players.player_lookup
        and stats.game_date = active_players.game_date
left join teams_playing
    on
        teams_playing.game_date = active_players.game_date
        and teams_playing.team_abbr = active_players.team_abbr
