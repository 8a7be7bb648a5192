-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- Shares of field-goal attempts by zone (fractions 0-1: paint incl. restricted area, mid-range, three) over the
-- player's last 10 games with shots of the season strictly before the date (needs var shot_min_games,
-- default 3), and the primary zone (reference thresholds: paint >= 0.40, else three >= 0.40 -> perimeter,
-- else mid-range >= 0.35, else balanced). Where the shot data does not cover the date (int_shot_data_coverage:
-- a season without a shot file, or data ending before the previous game day, e.g. playoffs), each feature
-- falls back, tagged in <feature>_source: pct_three to the box scores over the same window
-- (int_player_box_score_shot_mix, box_score); pct_paint, pct_mid_range and the primary zone to the player's
-- latest profile before the date from any earlier season or date (carried_shot_profile, with its age in
-- shot_profile_age_days); without one they are NULL with no_shot_profile. Where the shot data covers the date
-- but the player has fewer games with shots than shot_min_games, at least var short_window_min_games (default
-- 2): the same shares over the games there are, tagged short_window (the box-score pct_three likewise). NULL
-- reasons where covered: no_prior_games, too_few_games (below short_window_min_games).
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set min_games = var('shot_min_games', 3) %}
{%- set short_min_games = short_window_min_games(min_games) %}

with

spine as (

    select
        player_lookup,
        game_date,
        season
    from {{ ref('int_feature_spine') }}
    where {{ date_range_filter('game_date') }}

),

coverage as (

    select * from {{ ref('int_shot_data_coverage') }}
    where {{ date_range_filter('game_date') }}

),

shot_games as (

    select
        player_lookup,
        season,
        game_date,
        row_number() over (partition by player_lookup, season order by game_date, game_id) as shot_game_seq,
        -- across seasons, to find the latest profile wherever it is
        row_number() over (partition by player_lookup order by game_date, game_id) as profile_seq,
        sum(paint_attempts) over last_10 as paint_attempts_last_10,
        sum(mid_range_attempts) over last_10 as mid_range_attempts_last_10,
        sum(three_attempts) over last_10 as three_attempts_last_10,
        sum(field_goal_attempts) over last_10 as field_goal_attempts_last_10
    from {{ ref('int_shot_zone_games') }}
    where
        player_lookup is not null
        -- the spine's seasons and the earlier ones a profile may be carried from
        and season <= (select max(spine.season) from spine)
    window last_10 as (
        partition by player_lookup, season order by game_date, game_id rows between 9 preceding and current row
    )

),

box_score_mix as (

    select * from {{ ref('int_player_box_score_shot_mix') }}
    where {{ date_range_filter('game_date') }}

),

-- the latest game with shots strictly before each spine date, in the season and anywhere before (a spine row
-- sorts before a game of its date, so a game on the date or later is never read)
events as (

    select
        player_lookup,
        season,
        game_date,
        0 as event_order,
        cast(null as {{ dbt.type_int() }}) as shot_game_seq,
        cast(null as {{ dbt.type_int() }}) as profile_seq,
        true as is_spine
    from spine
    union all
    select
        player_lookup,
        season,
        game_date,
        1 as event_order,
        shot_game_seq,
        profile_seq,
        false as is_spine
    from shot_games

),

latest_before as (

    select
        player_lookup,
        game_date,
        max(shot_game_seq) over (
            partition by player_lookup, season order by game_date, event_order
            rows between unbounded preceding and current row
        ) as shot_games_before,
        max(profile_seq) over (
            partition by player_lookup order by game_date, event_order
            rows between unbounded preceding and current row
        ) as latest_profile_seq,
        is_spine
    from events

),

profile as (

    select
        spine.player_lookup,
        spine.game_date,
        spine.season,
        coalesce(latest_before.shot_games_before, 0) as shot_games_before,
        season_games.paint_attempts_last_10,
        season_games.mid_range_attempts_last_10,
        season_games.three_attempts_last_10,
        season_games.field_goal_attempts_last_10,
        season_games.game_date as season_profile_date,
        -- the latest profile before the date (any season): usable with enough games in its own window
        case when latest_games.shot_game_seq >= {{ min_games }} then latest_games.game_date end as carried_profile_date,
        least(latest_games.shot_game_seq, 10) as carried_games_in_window,
        latest_games.paint_attempts_last_10 as carried_paint_attempts,
        latest_games.mid_range_attempts_last_10 as carried_mid_range_attempts,
        latest_games.three_attempts_last_10 as carried_three_attempts,
        latest_games.field_goal_attempts_last_10 as carried_field_goal_attempts,
        coalesce(coverage.is_covered, false) as is_covered,
        coalesce(coverage.coverage_null_reason, 'no_shot_data_for_season') as coverage_null_reason
    from spine
    inner join latest_before
        on
            latest_before.player_lookup = spine.player_lookup
            and latest_before.game_date = spine.game_date
            and latest_before.is_spine
    left join shot_games as season_games
        on
            season_games.player_lookup = spine.player_lookup
            and season_games.season = spine.season
            and season_games.shot_game_seq = latest_before.shot_games_before
    left join shot_games as latest_games
        on
            latest_games.player_lookup = spine.player_lookup
            and latest_games.profile_seq = latest_before.latest_profile_seq
    left join coverage
        on
            coverage.season = spine.season
            and coverage.game_date = spine.game_date

),

-- which profile a row reads: the season's own where the shot data covers the date (calculated), else the
-- latest earlier profile carried forward (carried_shot_profile), else none
chosen as (

    select
        player_lookup,
        game_date,
        season,
        case
            when is_covered and shot_games_before >= {{ min_games }} then 'calculated'
            when is_covered and shot_games_before >= {{ short_min_games }} then 'short_window'
            when not is_covered and carried_profile_date is not null then 'carried_shot_profile'
        end as shot_profile_source,
        case
            when is_covered and shot_games_before = 0 then 'no_prior_games'
            when is_covered and shot_games_before < {{ short_min_games }} then 'too_few_games'
            when not is_covered and carried_profile_date is null then 'no_shot_profile'
        end as shot_profile_null_reason,
        is_covered,
        coverage_null_reason,
        case when is_covered then least(shot_games_before, 10) else carried_games_in_window end
            as shot_games_in_window,
        case when is_covered then season_profile_date else carried_profile_date end as shot_profile_date,
        case when is_covered then paint_attempts_last_10 else carried_paint_attempts end as paint_attempts,
        case when is_covered then mid_range_attempts_last_10 else carried_mid_range_attempts end as mid_range_attempts,
        case when is_covered then three_attempts_last_10 else carried_three_attempts end as three_attempts,
        case when is_covered then field_goal_attempts_last_10 else carried_field_goal_attempts end
            as field_goal_attempts
    from profile

),

final as (

    select
        chosen.player_lookup,
        chosen.game_date,
        chosen.season,
        chosen.shot_profile_source,
        case when chosen.shot_profile_source is not null then chosen.shot_games_in_window end as shot_games_in_window,
        case when chosen.shot_profile_source is not null then chosen.field_goal_attempts end
            as field_goal_attempts_last_10,
        case when chosen.shot_profile_source is not null then chosen.shot_profile_date end as shot_profile_date,
        case
            when chosen.shot_profile_source is not null
                then {{ days_between('chosen.shot_profile_date', 'chosen.game_date') }}
        end as shot_profile_age_days,
        case
            when chosen.shot_profile_source is not null then 1.0 * chosen.paint_attempts / chosen.field_goal_attempts
        end as profile_paint,
        case
            when chosen.shot_profile_source is not null
                then 1.0 * chosen.mid_range_attempts / chosen.field_goal_attempts
        end as profile_mid_range,
        case
            when chosen.shot_profile_source is not null then 1.0 * chosen.three_attempts / chosen.field_goal_attempts
        end as profile_three,
        chosen.shot_profile_null_reason,
        chosen.is_covered,
        box_score_mix.pct_three as box_score_pct_three,
        box_score_mix.pct_three_null_reason as box_score_pct_three_null_reason,
        box_score_mix.pct_three_source as box_score_pct_three_source
    from chosen
    left join box_score_mix
        on
            box_score_mix.player_lookup = chosen.player_lookup
            and box_score_mix.game_date = chosen.game_date

),

profiles as (

    select
        player_lookup,
        game_date,
        season,
        shot_games_in_window,
        field_goal_attempts_last_10,
        shot_profile_source,
        shot_profile_date,
        shot_profile_age_days,
        -- 18, 19: the chosen profile
        profile_paint as pct_paint,
        shot_profile_source as pct_paint_source,
        shot_profile_null_reason as pct_paint_null_reason,
        profile_mid_range as pct_mid_range,
        shot_profile_source as pct_mid_range_source,
        shot_profile_null_reason as pct_mid_range_null_reason,
        -- 20: the season's shot data where it covers the date, else the box scores over the same window
        case when is_covered then profile_three else box_score_pct_three end as pct_three,
        case
            when is_covered and profile_three is not null then shot_profile_source
            when not is_covered and box_score_pct_three is not null then box_score_pct_three_source
        end as pct_three_source,
        case
            when is_covered then shot_profile_null_reason
            else coalesce(box_score_pct_three_null_reason, case when box_score_pct_three is null then 'no_box_score_row' end)
        end as pct_three_null_reason,
        -- the primary zone of the chosen profile (its own three share, so one profile decides it)
        case
            when shot_profile_source is null then null
            when profile_paint >= 0.40 then 'paint'
            when profile_three >= 0.40 then 'perimeter'
            when profile_mid_range >= 0.35 then 'mid_range'
            else 'balanced'
        end as primary_zone,
        case
            when shot_profile_source is null then null
            when profile_paint >= 0.40 then profile_paint
            when profile_three >= 0.40 then profile_three
            when profile_mid_range >= 0.35 then profile_mid_range
        end as primary_zone_rate
    from final

)

select {{ contract_columns() }}
from profiles
