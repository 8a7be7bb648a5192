-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- Everything strictly before game_date. Features 0-4, 31, 32 here are the cache-miss fallback, computed by
-- the same model as player_daily_cache (int_player_prior_game_stats) from the player's own games. Owns 11,
-- 12, 21, 29, 30, 33-36.
-- Opponent history (29, 30) covers the previous 365 days across seasons. An empty history is legitimate,
-- not a failure: games_vs_opponent = 0 is a real value and avg_points_vs_opponent is NULL with null_reason
-- no_games_vs_opponent (the feature store tags it no_history, never a default).
-- Short window: a window feature with fewer games than its minimum (5 played games for 11, 21 and 34; 3 game
-- rows for 33; the history averages it reads for 12, 35, 36) but at least var short_window_min_games (default
-- 2) is the same formula over the games there are, <feature>_source short_window (else calculated; NULL when
-- the value is NULL). The trend over n < 5 games is the newest ceil(n/2) games' mean minus the older
-- floor(n/2) games' mean, as 5 games split 3 newest / 2 older.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set trend_min_games = short_window_min_games(5, floor=2) %}
{%- set dnp_min_rows = short_window_min_games(3) %}
with

spine as (

    select * from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

player_games as (

    -- opponent history looks back 365 days from each spine date
    select * from {{ ref('int_player_games') }}
    where game_date >= (select {{ add_days('min(spine.game_date)', -365) }} from spine)

),

stats as (

    select * from {{ ref('int_player_prior_game_stats') }}
    where {{ date_range_filter('game_date') }}

),

opponent_history as (

    select
        spine.player_lookup,
        spine.game_date,
        count(player_games.game_id) as games_vs_opponent,
        avg(player_games.points) as avg_points_vs_opponent
    from spine
    inner join player_games
        on
            player_games.player_lookup = spine.player_lookup
            and player_games.opponent_team_abbr = spine.opponent_team_abbr
            and player_games.game_date < spine.game_date
            and player_games.game_date >= {{ add_days('spine.game_date', -365) }}
            and not player_games.is_dnp
    group by 1, 2

),

derived as (

    select
        spine.player_lookup,
        spine.game_date,
        spine.season,
        spine.team_abbr,
        spine.opponent_team_abbr,
        stats.*,
        coalesce(opponent_history.games_vs_opponent, 0) as games_vs_opponent,
        opponent_history.avg_points_vs_opponent,
        -- newer minus older: mean of the 3 newest played games minus mean of the 2 before them
        case
            when stats.games_last_10 >= 5 then stats.points_avg_newest_3 - stats.points_avg_older_2
            when stats.games_last_10 >= {{ trend_min_games }} and stats.games_last_10 = 2
                then stats.points_newest_1 - stats.points_previous_1
            when stats.games_last_10 >= {{ trend_min_games }} and stats.games_last_10 in (3, 4)
                then stats.points_avg_newest_2 - stats.points_avg_2_before_newest_2
        end as trend_difference,
        -- the history inputs a derived feature reads came from a short window
        coalesce(
            stats.points_avg_last_5_source, stats.points_avg_season_source, stats.points_std_last_10_source
        ) as points_inputs_source,
        case
            when stats.minutes_avg_season > 0 and stats.minutes_avg_last_10 is not null
                then (stats.minutes_avg_last_10 - stats.minutes_avg_season) / stats.minutes_avg_season
        end as minutes_change_pct
    from spine
    inner join stats
        on
            stats.player_lookup = spine.player_lookup
            and stats.game_date = spine.game_date
    left join opponent_history
        on
            opponent_history.player_lookup = spine.player_lookup
            and opponent_history.game_date = spine.game_date

),

rolling_rows as (

    select
        player_lookup,
        game_date,
        season,
        team_abbr,
        opponent_team_abbr,
        games_played_season,
        last_played_date,
        days_since_last_game,
        games_in_last_14_days,
        minutes_in_last_7_days,
        back_to_backs_last_14_days,
        minutes_avg_season,
        usage_avg_last_7,
        usage_games_last_7,
        usage_avg_season,
        -- 0-4, 31, 32: cache-miss fallback values
        points_avg_last_5,
        points_avg_last_5_null_reason,
        points_avg_last_5_source,
        points_avg_last_10,
        points_avg_last_10_null_reason,
        points_avg_last_10_source,
        points_avg_season,
        points_avg_season_null_reason,
        points_avg_season_source,
        points_std_last_10,
        points_std_last_10_null_reason,
        points_std_last_10_source,
        games_in_last_7_days,
        games_in_last_7_days_null_reason,
        minutes_avg_last_10,
        minutes_avg_last_10_null_reason,
        minutes_avg_last_10_source,
        ppm_avg_last_10,
        ppm_avg_last_10_null_reason,
        ppm_avg_last_10_source,
        -- 11
        {{ bucket_change('trend_difference', 2, 5) }} as recent_trend,
        case
            when games_played_season = 0 then 'no_prior_games'
            when trend_difference is null then 'too_few_games'
        end as recent_trend_null_reason,
        case
            when trend_difference is null then null
            when games_last_10 < 5 then 'short_window'
            else 'calculated'
        end as recent_trend_source,
        -- 12
        {{ bucket_change('minutes_change_pct', 0.1, 0.2) }} as minutes_change,
        case
            when games_played_season = 0 then 'no_prior_games'
            when minutes_avg_last_10 is null then 'too_few_games'
            when not minutes_avg_season > 0 then 'no_minutes_in_season'
        end as minutes_change_null_reason,
        case
            when minutes_change_pct is null then null
            else coalesce(minutes_avg_last_10_source, 'calculated')
        end as minutes_change_source,
        -- 21: share of points from free throws over the last 10 played games, needs 5
        case
            when games_last_10 >= {{ trend_min_games }} and points_sum_last_10 > 0
                then {{ clamp('1.0 * ftm_sum_last_10 / points_sum_last_10', 0, 0.5) }}
        end as pct_free_throw,
        case
            when games_played_season = 0 then 'no_prior_games'
            when games_last_10 < {{ trend_min_games }} then 'too_few_games'
            when not points_sum_last_10 > 0 then 'no_points_in_window'
        end as pct_free_throw_null_reason,
        case
            when not (games_last_10 >= {{ trend_min_games }} and points_sum_last_10 > 0) then null
            when games_last_10 < 5 then 'short_window'
            else 'calculated'
        end as pct_free_throw_source,
        -- 29, 30
        avg_points_vs_opponent,
        case when games_vs_opponent = 0 then 'no_games_vs_opponent' end as avg_points_vs_opponent_null_reason,
        games_vs_opponent,
        cast(null as {{ dbt.type_string() }}) as games_vs_opponent_null_reason,
        -- 33: share of the player's last 10 game rows (played or DNP while on the roster) that were DNP, needs 3
        case when game_rows_last_10 >= {{ dnp_min_rows }} then 1.0 * dnp_rows_last_10 / game_rows_last_10 end
            as dnp_rate,
        case
            when game_rows_last_10 = 0 then 'no_prior_games'
            when game_rows_last_10 < {{ dnp_min_rows }} then 'too_few_games'
        end as dnp_rate_null_reason,
        case
            when game_rows_last_10 < {{ dnp_min_rows }} then null
            when game_rows_last_10 < 3 then 'short_window'
            else 'calculated'
        end as dnp_rate_source,
        -- 34
        case when games_last_10 >= {{ trend_min_games }} then points_slope_raw end as pts_slope_10g,
        case
            when games_played_season = 0 then 'no_prior_games'
            when games_last_10 < {{ trend_min_games }} then 'too_few_games'
        end as pts_slope_10g_null_reason,
        case
            when games_last_10 < {{ trend_min_games }} or points_slope_raw is null then null
            when games_last_10 < 5 then 'short_window'
            else 'calculated'
        end as pts_slope_10g_source,
        -- 35
        case
            when points_std_last_10 > 0
                then {{ clamp('(points_avg_last_5 - points_avg_season) / points_std_last_10', -3, 3) }}
        end as pts_vs_season_zscore,
        case
            when games_played_season = 0 then 'no_prior_games'
            when points_std_last_10 is null or points_avg_last_5 is null then 'too_few_games'
            when points_std_last_10 = 0 then 'zero_std_dev'
        end as pts_vs_season_zscore_null_reason,
        case
            when not points_std_last_10 > 0 or points_avg_last_5 is null or points_avg_season is null then null
            else coalesce(points_inputs_source, 'calculated')
        end as pts_vs_season_zscore_source,
        -- 36
        case
            when points_avg_last_5 is null or points_avg_season is null or points_std_last_10 is null then null
            when points_avg_last_5 > points_avg_season + 1.5 * points_std_last_10 then 1
            else 0
        end as breakout_flag,
        case
            when games_played_season = 0 then 'no_prior_games'
            when points_avg_last_5 is null or points_avg_season is null or points_std_last_10 is null
                then 'too_few_games'
        end as breakout_flag_null_reason,
        case
            when points_avg_last_5 is null or points_avg_season is null or points_std_last_10 is null then null
            else coalesce(points_inputs_source, 'calculated')
        end as breakout_flag_source
    from derived

)

select {{ contract_columns() }}
from rolling_rows
