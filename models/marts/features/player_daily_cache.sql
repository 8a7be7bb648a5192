-- Grain: player_lookup, game_date. One row per active season player per date with games (int_active_players,
-- bounded by the `start_date` / `end_date` vars): every player who played at least one game this season before
-- the date, with the team of his latest game, whether or not that team plays on the date. Rolling stats
-- (features 0-4, 31, 32 and the minutes/usage inputs of the composite factors) strictly before the date, from
-- int_player_prior_game_stats; <feature>_source is short_window where a value came from fewer games than
-- rolling_min_games (at least short_window_min_games). Incremental by game_date like the store: a run replaces exactly its date range,
-- so the table keeps every date built.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}

with

active_players as (

    select * from {{ ref('int_active_players') }}
    where {{ date_range_filter('game_date') }}

),

stats as (

    select * from {{ ref('int_player_prior_game_stats') }}
    where {{ date_range_filter('game_date') }}

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
        where {{ date_range_filter('game_date') }}
        union all
        select
            game_date,
            away_team_abbr as team_abbr
        from {{ ref('int_games') }}
        where {{ date_range_filter('game_date') }}
    ) as both_sides

),

cache_rows as (

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
        stats.points_avg_last_5_source,
        stats.points_avg_last_10,
        stats.points_avg_last_10_null_reason,
        stats.points_avg_last_10_source,
        stats.points_avg_season,
        stats.points_avg_season_null_reason,
        stats.points_avg_season_source,
        stats.points_std_last_10,
        stats.points_std_last_10_null_reason,
        stats.points_std_last_10_source,
        stats.games_in_last_7_days,
        stats.games_in_last_7_days_null_reason,
        stats.minutes_avg_last_10,
        stats.minutes_avg_last_10_null_reason,
        stats.minutes_avg_last_10_source,
        stats.ppm_avg_last_10,
        stats.ppm_avg_last_10_null_reason,
        stats.ppm_avg_last_10_source,
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

)

select {{ contract_columns() }}
from cache_rows
