{#- Rolling player statistics as of each row of `spine` (a CTE or relation with player_lookup, game_date,
    season), from `player_games` (int_player_games rows) of the same season strictly before game_date.
    One formula for player_daily_cache and int_player_rolling_stats (the cache-miss fallback), so the two
    cannot drift. "Played" = is_dnp false; DNP rows only count toward dnp_rate.
    Feature columns are NULL when they cannot be computed, with <feature>_null_reason:
      no_prior_games (no played game this season before the date), too_few_games (fewer than the feature's
      minimum: var rolling_min_games, default 3, for averages; 2 for the std dev; 5 for trend and slope;
      5 for pct_free_throw; 3 game rows for dnp_rate), no_points_in_window, zero_std_dev. -#}
{% macro player_prior_game_stats(spine, player_games) -%}
{%- set min_games = var('rolling_min_games', 3) -%}
    with

    player_rows as (

        select
            player_lookup,
            game_id,
            game_date,
            season,
            is_dnp,
            points,
            minutes,
            ftm,
            usage_rate,
            -- the previous played game, to count back-to-backs inside a window
            case when not is_dnp then lag(game_date) over (
                partition by player_lookup, season, is_dnp order by game_date, game_id
            ) end as previous_played_date,
            case when not is_dnp then row_number() over (
                partition by player_lookup, season, is_dnp order by game_date, game_id
            ) end as played_seq,
            row_number() over (partition by player_lookup, season order by game_date, game_id) as row_seq
        from {{ player_games }}

    ),

    -- running season totals at each played game, read back at the last game before each spine date
    played_cumulative as (

        select
            player_lookup,
            season,
            played_seq,
            game_date,
            sum(points) over season_so_far as cumulative_points,
            sum(minutes) over season_so_far as cumulative_minutes,
            sum(usage_rate) over season_so_far as cumulative_usage,
            count(usage_rate) over season_so_far as cumulative_usage_games
        from player_rows
        where not is_dnp
        window season_so_far as (
            partition by player_lookup, season order by played_seq rows between unbounded preceding and current row
        )

    ),

    -- how many played games and game rows the player had in the season strictly before each spine date:
    -- spine rows and game rows in one stream per player-season, a spine row sorting before a game of the
    -- same date so that game is not counted
    events as (

        select
            player_lookup,
            season,
            game_date,
            0 as event_order,
            cast(null as {{ dbt.type_int() }}) as played_seq,
            cast(null as {{ dbt.type_int() }}) as row_seq,
            true as is_spine
        from {{ spine }}
        union all
        select player_lookup, season, game_date, 1, played_seq, row_seq, false
        from player_rows

    ),

    counts_before as (

        select
            player_lookup,
            game_date,
            coalesce(max(played_seq) over stream_so_far, 0) as played_before,
            coalesce(max(row_seq) over stream_so_far, 0) as rows_before,
            is_spine
        from events
        window stream_so_far as (
            partition by player_lookup, season order by game_date, event_order
            rows between unbounded preceding and current row
        )

    ),

    spine_counts as (

        select
            spine.player_lookup,
            spine.game_date,
            spine.season,
            counts_before.played_before,
            counts_before.rows_before
        from {{ spine }} as spine
        inner join counts_before
            on counts_before.player_lookup = spine.player_lookup
            and counts_before.game_date = spine.game_date
            and counts_before.is_spine

    ),

    last_played as (

        select
            spine_counts.player_lookup,
            spine_counts.game_date,
            spine_counts.played_before - player_rows.played_seq + 1 as played_rank,
            player_rows.points,
            player_rows.minutes,
            player_rows.ftm,
            player_rows.usage_rate
        from spine_counts
        inner join player_rows
            on player_rows.player_lookup = spine_counts.player_lookup
            and player_rows.season = spine_counts.season
            and player_rows.played_seq between spine_counts.played_before - 9 and spine_counts.played_before

    ),

    last_played_aggregated as (

        select
            player_lookup,
            game_date,
            count(case when played_rank <= 5 then 1 end) as games_last_5,
            count(*) as games_last_10,
            avg(case when played_rank <= 5 then points end) as points_avg_last_5_raw,
            avg(points) as points_avg_last_10_raw,
            stddev_samp(points) as points_std_last_10_raw,
            avg(minutes) as minutes_avg_last_10_raw,
            sum(points) as points_sum_last_10,
            sum(minutes) as minutes_sum_last_10,
            sum(ftm) as ftm_sum_last_10,
            avg(case when played_rank <= 7 then usage_rate end) as usage_avg_last_7,
            count(case when played_rank <= 7 then usage_rate end) as usage_games_last_7,
            avg(case when played_rank <= 3 then points end) as points_avg_newest_3,
            avg(case when played_rank in (4, 5) then points end) as points_avg_older_2,
            -- OLS slope of points on game order; x = -played_rank rises from oldest to newest
            count(*) as slope_n,
            sum(-1.0 * played_rank) as slope_sx,
            sum(1.0 * points) as slope_sy,
            sum(-1.0 * played_rank * points) as slope_sxy,
            sum(1.0 * played_rank * played_rank) as slope_sxx
        from last_played
        group by 1, 2

    ),

    last_rows_aggregated as (

        select
            spine_counts.player_lookup,
            spine_counts.game_date,
            count(*) as game_rows_last_10,
            count(case when player_rows.is_dnp then 1 end) as dnp_rows_last_10
        from spine_counts
        inner join player_rows
            on player_rows.player_lookup = spine_counts.player_lookup
            and player_rows.season = spine_counts.season
            and player_rows.row_seq between spine_counts.rows_before - 9 and spine_counts.rows_before
        group by 1, 2

    ),

    recent_days_aggregated as (

        select
            spine_counts.player_lookup,
            spine_counts.game_date,
            count(case when {{ days_between('player_rows.game_date', 'spine_counts.game_date') }} <= 6 then 1 end)
                as games_in_last_7_days,
            sum(case when {{ days_between('player_rows.game_date', 'spine_counts.game_date') }} <= 6
                then player_rows.minutes end) as minutes_in_last_7_days,
            count(*) as games_in_last_14_days,
            -- a back-to-back = a played game whose previous played game was the day before, both in D-14..D-1
            count(
                case when {{ days_between('player_rows.game_date', 'spine_counts.game_date') }} <= 13
                    and {{ days_between('player_rows.previous_played_date', 'player_rows.game_date') }} = 1
                    then 1 end
            ) as back_to_backs_last_14_days
        from spine_counts
        inner join player_rows
            on player_rows.player_lookup = spine_counts.player_lookup
            and player_rows.season = spine_counts.season
            and not player_rows.is_dnp
            and player_rows.game_date < spine_counts.game_date
            and player_rows.game_date >= {{ dbt.dateadd('day', -14, 'spine_counts.game_date') }}
        group by 1, 2

    ),

    aggregated as (

        select
            spine_counts.player_lookup,
            spine_counts.game_date,
            spine_counts.played_before as games_played_season,
            played_cumulative.game_date as last_played_date,
            last_played_aggregated.games_last_5,
            last_played_aggregated.games_last_10,
            last_played_aggregated.points_avg_last_5_raw,
            last_played_aggregated.points_avg_last_10_raw,
            1.0 * played_cumulative.cumulative_points / nullif(spine_counts.played_before, 0)
                as points_avg_season_raw,
            last_played_aggregated.points_std_last_10_raw,
            recent_days_aggregated.games_in_last_7_days,
            recent_days_aggregated.minutes_in_last_7_days,
            recent_days_aggregated.games_in_last_14_days,
            recent_days_aggregated.back_to_backs_last_14_days,
            last_played_aggregated.minutes_avg_last_10_raw,
            1.0 * played_cumulative.cumulative_minutes / nullif(spine_counts.played_before, 0) as minutes_avg_season,
            last_played_aggregated.points_sum_last_10,
            last_played_aggregated.minutes_sum_last_10,
            last_played_aggregated.ftm_sum_last_10,
            last_played_aggregated.usage_avg_last_7,
            last_played_aggregated.usage_games_last_7,
            1.0 * played_cumulative.cumulative_usage / nullif(played_cumulative.cumulative_usage_games, 0)
                as usage_avg_season,
            last_played_aggregated.points_avg_newest_3,
            last_played_aggregated.points_avg_older_2,
            last_played_aggregated.slope_n,
            last_played_aggregated.slope_sx,
            last_played_aggregated.slope_sy,
            last_played_aggregated.slope_sxy,
            last_played_aggregated.slope_sxx,
            last_rows_aggregated.game_rows_last_10,
            last_rows_aggregated.dnp_rows_last_10
        from spine_counts
        left join played_cumulative
            on played_cumulative.player_lookup = spine_counts.player_lookup
            and played_cumulative.season = spine_counts.season
            and played_cumulative.played_seq = spine_counts.played_before
        left join last_played_aggregated
            on last_played_aggregated.player_lookup = spine_counts.player_lookup
            and last_played_aggregated.game_date = spine_counts.game_date
        left join last_rows_aggregated
            on last_rows_aggregated.player_lookup = spine_counts.player_lookup
            and last_rows_aggregated.game_date = spine_counts.game_date
        left join recent_days_aggregated
            on recent_days_aggregated.player_lookup = spine_counts.player_lookup
            and recent_days_aggregated.game_date = spine_counts.game_date

    ),

    with_spine as (

        select
            spine.player_lookup,
            spine.game_date,
            coalesce(aggregated.games_played_season, 0) as games_played_season,
            aggregated.last_played_date,
            coalesce(aggregated.games_last_10, 0) as games_last_10,
            aggregated.points_avg_last_5_raw,
            aggregated.points_avg_last_10_raw,
            aggregated.points_avg_season_raw,
            aggregated.points_std_last_10_raw,
            coalesce(aggregated.games_in_last_7_days, 0) as games_in_last_7_days,
            coalesce(aggregated.minutes_in_last_7_days, 0) as minutes_in_last_7_days,
            coalesce(aggregated.games_in_last_14_days, 0) as games_in_last_14_days,
            coalesce(aggregated.back_to_backs_last_14_days, 0) as back_to_backs_last_14_days,
            aggregated.minutes_avg_last_10_raw,
            aggregated.minutes_avg_season,
            aggregated.points_sum_last_10,
            aggregated.minutes_sum_last_10,
            aggregated.ftm_sum_last_10,
            aggregated.usage_avg_last_7,
            coalesce(aggregated.usage_games_last_7, 0) as usage_games_last_7,
            aggregated.usage_avg_season,
            aggregated.points_avg_newest_3,
            aggregated.points_avg_older_2,
            case when aggregated.slope_n >= 2 then
                (aggregated.slope_n * aggregated.slope_sxy - aggregated.slope_sx * aggregated.slope_sy)
                / nullif(aggregated.slope_n * aggregated.slope_sxx - aggregated.slope_sx * aggregated.slope_sx, 0)
            end as points_slope_raw,
            coalesce(aggregated.game_rows_last_10, 0) as game_rows_last_10,
            coalesce(aggregated.dnp_rows_last_10, 0) as dnp_rows_last_10
        from {{ spine }} as spine
        left join aggregated
            on aggregated.player_lookup = spine.player_lookup
            and aggregated.game_date = spine.game_date

    )

    select
        player_lookup,
        game_date,
        games_played_season,
        last_played_date,
        {{ days_between('last_played_date', 'game_date') }} as days_since_last_game,
        games_in_last_14_days,
        minutes_in_last_7_days,
        back_to_backs_last_14_days,
        minutes_avg_season,
        usage_avg_last_7,
        usage_games_last_7,
        usage_avg_season,
        case when games_played_season >= {{ min_games }} then points_avg_last_5_raw end as points_avg_last_5,
        case when games_played_season >= {{ min_games }} then points_avg_last_10_raw end as points_avg_last_10,
        case when games_played_season >= {{ min_games }} then points_avg_season_raw end as points_avg_season,
        case when games_played_season >= {{ [min_games, 2] | max }} then points_std_last_10_raw end
            as points_std_last_10,
        games_in_last_7_days,
        case when games_played_season >= {{ min_games }} then minutes_avg_last_10_raw end as minutes_avg_last_10,
        case when games_played_season >= {{ min_games }} and minutes_sum_last_10 > 0
            then 1.0 * points_sum_last_10 / minutes_sum_last_10 end as ppm_avg_last_10,
        {%- for feature in ['points_avg_last_5', 'points_avg_last_10', 'points_avg_season', 'points_std_last_10', 'minutes_avg_last_10'] %}
        case
            when games_played_season = 0 then 'no_prior_games'
            when games_played_season < {{ [min_games, 2] | max if feature == 'points_std_last_10' else min_games }}
                then 'too_few_games'
        end as {{ feature }}_null_reason,
        {%- endfor %}
        cast(null as {{ dbt.type_string() }}) as games_in_last_7_days_null_reason,
        case
            when games_played_season = 0 then 'no_prior_games'
            when games_played_season < {{ min_games }} then 'too_few_games'
            when not minutes_sum_last_10 > 0 then 'no_minutes_in_window'
        end as ppm_avg_last_10_null_reason,
        -- trajectory and shot-mix inputs that need more games than the averages
        games_last_10,
        points_avg_newest_3,
        points_avg_older_2,
        points_slope_raw,
        points_sum_last_10,
        ftm_sum_last_10,
        game_rows_last_10,
        dnp_rows_last_10
    from with_spine
{%- endmacro %}
