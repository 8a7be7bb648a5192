-- Grain: player_lookup, game_date (bounded by the `start_date` / `end_date` vars). Rolling statistics of a
-- player as of a date, from his int_player_games rows of the same season strictly before it: one formula for
-- player_daily_cache (the active players of every date) and int_player_rolling_stats (the feature spine, the
-- cache-miss fallback), so the two cannot drift; computed once for the union of both spines. "Played" =
-- is_dnp false; DNP rows only count toward dnp_rate.
-- Feature columns are NULL when they cannot be computed, with <feature>_null_reason: no_prior_games (no played
-- game this season before the date), too_few_games (fewer than the feature's minimum: var rolling_min_games,
-- default 3, for averages; 2 for the std dev; 5 for trend and slope; 5 for pct_free_throw; 3 game rows for
-- dnp_rate), no_points_in_window, zero_std_dev.
-- Short window: with fewer played games than a feature's minimum but at least var short_window_min_games
-- (default 2; 2 for the std dev in any case), the same formula over the games there are, and
-- <feature>_source = short_window (NULL for a value from the full minimum: the reader's primary source);
-- too_few_games only below short_window_min_games.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set min_games = var('rolling_min_games', 3) %}
{#- the fewest games each history average is computed from: its minimum, or the short window below it -#}
{%- set avg_min_games = short_window_min_games(min_games) %}
{%- set std_min_games = short_window_min_games([min_games, 2] | max, floor=2) %}

with

spine as (

    select
        player_lookup,
        game_date,
        season
    from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}
    union distinct
    select
        player_lookup,
        game_date,
        season
    from {{ ref('int_active_players') }}
    where {{ date_range_filter('game_date') }}

),

player_games as (

    select * from {{ ref('int_player_games') }}
    where season in (select spine.season from spine)

),

-- only the spine's player-seasons are read, and only their games before the player-season's last spine
-- date: every window below is per player and season and looks back only (a later row never changes an
-- earlier one), and every value is read back strictly before a spine date, so the dropped rows cannot
-- change any output (rows without a game_date are kept: they sort first on some engines)
spine_player_seasons as (

    select
        player_lookup,
        season,
        max(game_date) as last_spine_date
    from spine
    group by 1, 2

),

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
    from (
        select player_games.*
        from player_games
        inner join spine_player_seasons
            on
                spine_player_seasons.player_lookup = player_games.player_lookup
                and spine_player_seasons.season is not distinct from player_games.season
        where
            player_games.game_date < spine_player_seasons.last_spine_date
            or player_games.game_date is null
    ) as spine_player_games

),

-- the state after each played game: sliding windows over the player's played games of the season,
-- read back at the last played game before each spine date (an equi-join, not a range join)
played_state as (

    select
        player_lookup,
        season,
        played_seq,
        game_date,
        avg(points) over last_5 as points_avg_last_5_raw,
        avg(points) over last_10 as points_avg_last_10_raw,
        stddev_samp(points) over last_10 as points_std_last_10_raw,
        avg(minutes) over last_10 as minutes_avg_last_10_raw,
        sum(points) over last_10 as points_sum_last_10,
        sum(minutes) over last_10 as minutes_sum_last_10,
        sum(ftm) over last_10 as ftm_sum_last_10,
        avg(usage_rate) over last_7 as usage_avg_last_7,
        count(usage_rate) over last_7 as usage_games_last_7,
        avg(points) over newest_3 as points_avg_newest_3,
        avg(points) over older_2 as points_avg_older_2,
        -- the short-window trend (fewer than 5 games): newest half minus older half
        points as points_newest_1,
        avg(points) over previous_1 as points_previous_1,
        avg(points) over newest_2 as points_avg_newest_2,
        avg(points) over two_before_newest_2 as points_avg_2_before_newest_2,
        -- OLS slope inputs with x = played_seq (a slope does not depend on where x starts)
        count(*) over last_10 as slope_n,
        sum(1.0 * played_seq) over last_10 as slope_sx,
        sum(1.0 * points) over last_10 as slope_sy,
        sum(1.0 * played_seq * points) over last_10 as slope_sxy,
        sum(1.0 * played_seq * played_seq) over last_10 as slope_sxx,
        sum(points) over season_so_far as cumulative_points,
        sum(minutes) over season_so_far as cumulative_minutes,
        sum(usage_rate) over season_so_far as cumulative_usage,
        count(usage_rate) over season_so_far as cumulative_usage_games
    from player_rows
    where not is_dnp
    window
        last_5 as (partition by player_lookup, season order by played_seq rows between 4 preceding and current row),
        last_7 as (partition by player_lookup, season order by played_seq rows between 6 preceding and current row),
        last_10 as (partition by player_lookup, season order by played_seq rows between 9 preceding and current row),
        newest_3 as (
            partition by player_lookup, season order by played_seq rows between 2 preceding and current row
        ),
        older_2 as (partition by player_lookup, season order by played_seq rows between 4 preceding and 3 preceding),
        previous_1 as (partition by player_lookup, season order by played_seq rows between 1 preceding and 1 preceding),
        newest_2 as (partition by player_lookup, season order by played_seq rows between 1 preceding and current row),
        two_before_newest_2 as (
            partition by player_lookup, season order by played_seq rows between 3 preceding and 2 preceding
        ),
        season_so_far as (
            partition by player_lookup, season order by played_seq rows between unbounded preceding and current row
        )

),

-- the DNP share of the last 10 game rows (played or DNP) after each row
row_state as (

    select
        player_lookup,
        season,
        row_seq,
        count(*) over last_10_rows as game_rows_last_10,
        count(case when is_dnp then 1 end) over last_10_rows as dnp_rows_last_10
    from player_rows
    window last_10_rows as (
        partition by player_lookup, season order by row_seq rows between 9 preceding and current row
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
    from spine
    union all
    select
        player_lookup,
        season,
        game_date,
        1 as event_order,
        played_seq,
        row_seq,
        false as is_spine
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
    from spine
    inner join counts_before
        on
            counts_before.player_lookup = spine.player_lookup
            and counts_before.game_date = spine.game_date
            and counts_before.is_spine

),

recent_days_aggregated as (

    select
        spine_counts.player_lookup,
        spine_counts.game_date,
        count(case when {{ days_between('player_rows.game_date', 'spine_counts.game_date') }} <= 6 then 1 end)
            as games_in_last_7_days,
        sum(case
            when {{ days_between('player_rows.game_date', 'spine_counts.game_date') }} <= 6
                then player_rows.minutes
        end) as minutes_in_last_7_days,
        count(*) as games_in_last_14_days,
        -- a back-to-back = a played game whose previous played game was the day before, both in D-14..D-1
        count(
            case
                when
                    {{ days_between('player_rows.game_date', 'spine_counts.game_date') }} <= 13
                    and {{ days_between('player_rows.previous_played_date', 'player_rows.game_date') }} = 1
                    then 1
            end
        ) as back_to_backs_last_14_days
    from spine_counts
    inner join player_rows
        on
            player_rows.player_lookup = spine_counts.player_lookup
            and player_rows.season = spine_counts.season
            and not player_rows.is_dnp
            and player_rows.game_date < spine_counts.game_date
            and player_rows.game_date >= {{ add_days('spine_counts.game_date', -14) }}
    group by 1, 2

),

aggregated as (

    select
        spine_counts.player_lookup,
        spine_counts.game_date,
        spine_counts.played_before as games_played_season,
        played_state.game_date as last_played_date,
        least(spine_counts.played_before, 10) as games_last_10,
        played_state.points_avg_last_5_raw,
        played_state.points_avg_last_10_raw,
        1.0 * played_state.cumulative_points / nullif(spine_counts.played_before, 0) as points_avg_season_raw,
        played_state.points_std_last_10_raw,
        recent_days_aggregated.games_in_last_7_days,
        recent_days_aggregated.minutes_in_last_7_days,
        recent_days_aggregated.games_in_last_14_days,
        recent_days_aggregated.back_to_backs_last_14_days,
        played_state.minutes_avg_last_10_raw,
        1.0 * played_state.cumulative_minutes / nullif(spine_counts.played_before, 0) as minutes_avg_season,
        played_state.points_sum_last_10,
        played_state.minutes_sum_last_10,
        played_state.ftm_sum_last_10,
        played_state.usage_avg_last_7,
        played_state.usage_games_last_7,
        1.0 * played_state.cumulative_usage / nullif(played_state.cumulative_usage_games, 0) as usage_avg_season,
        played_state.points_avg_newest_3,
        played_state.points_avg_older_2,
        played_state.points_newest_1,
        played_state.points_previous_1,
        played_state.points_avg_newest_2,
        played_state.points_avg_2_before_newest_2,
        played_state.slope_n,
        played_state.slope_sx,
        played_state.slope_sy,
        played_state.slope_sxy,
        played_state.slope_sxx,
        row_state.game_rows_last_10,
        row_state.dnp_rows_last_10
    from spine_counts
    left join played_state
        on
            played_state.player_lookup = spine_counts.player_lookup
            and played_state.season = spine_counts.season
            and played_state.played_seq = spine_counts.played_before
    left join row_state
        on
            row_state.player_lookup = spine_counts.player_lookup
            and row_state.season = spine_counts.season
            and row_state.row_seq = spine_counts.rows_before
    left join recent_days_aggregated
        on
            recent_days_aggregated.player_lookup = spine_counts.player_lookup
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
        aggregated.points_newest_1,
        aggregated.points_previous_1,
        aggregated.points_avg_newest_2,
        aggregated.points_avg_2_before_newest_2,
        case
            when aggregated.slope_n >= 2 then
                (aggregated.slope_n * aggregated.slope_sxy - aggregated.slope_sx * aggregated.slope_sy)
                / nullif(aggregated.slope_n * aggregated.slope_sxx - aggregated.slope_sx * aggregated.slope_sx, 0)
        end as points_slope_raw,
        coalesce(aggregated.game_rows_last_10, 0) as game_rows_last_10,
        coalesce(aggregated.dnp_rows_last_10, 0) as dnp_rows_last_10
    from spine
    left join aggregated
        on
            aggregated.player_lookup = spine.player_lookup
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
    case when games_played_season >= {{ avg_min_games }} then points_avg_last_5_raw end as points_avg_last_5,
    case when games_played_season >= {{ avg_min_games }} then points_avg_last_10_raw end as points_avg_last_10,
    case when games_played_season >= {{ avg_min_games }} then points_avg_season_raw end as points_avg_season,
    case when games_played_season >= {{ std_min_games }} then points_std_last_10_raw end as points_std_last_10,
    games_in_last_7_days,
    case when games_played_season >= {{ avg_min_games }} then minutes_avg_last_10_raw end as minutes_avg_last_10,
    case
        when games_played_season >= {{ avg_min_games }} and minutes_sum_last_10 > 0
            then 1.0 * points_sum_last_10 / minutes_sum_last_10
    end as ppm_avg_last_10,
    {%- for feature in ['points_avg_last_5', 'points_avg_last_10', 'points_avg_season', 'points_std_last_10', 'minutes_avg_last_10', 'ppm_avg_last_10'] %}
    {%- set is_std = feature == 'points_std_last_10' %}
    case
        when games_played_season = 0 then 'no_prior_games'
        when games_played_season < {{ std_min_games if is_std else avg_min_games }} then 'too_few_games'
        {%- if feature == 'ppm_avg_last_10' %}
        when not minutes_sum_last_10 > 0 then 'no_minutes_in_window'
        {%- endif %}
    end as {{ feature }}_null_reason,
    case
        when
            games_played_season >= {{ std_min_games if is_std else avg_min_games }}
            and games_played_season < {{ [min_games, 2] | max if is_std else min_games }}
            {%- if feature == 'ppm_avg_last_10' %}
            and minutes_sum_last_10 > 0
            {%- endif %}
            then 'short_window'
    end as {{ feature }}_source,
    {%- endfor %}
    cast(null as {{ dbt.type_string() }}) as games_in_last_7_days_null_reason,
    -- trajectory and shot-mix inputs that need more games than the averages
    games_last_10,
    points_avg_newest_3,
    points_avg_older_2,
    points_newest_1,
    points_previous_1,
    points_avg_newest_2,
    points_avg_2_before_newest_2,
    points_slope_raw,
    points_sum_last_10,
    ftm_sum_last_10,
    game_rows_last_10,
    dnp_rows_last_10
from with_spine
