-- Grain: player_lookup, game_date (one row per int_feature_spine row, so bounded by `start_date` / `end_date`).
-- Shares of field-goal attempts by zone (fractions 0-1: paint incl. restricted area, mid-range, three) over the
-- player's last 10 games with shots of the season strictly before the date (needs var shot_min_games,
-- default 3), and the primary zone (reference thresholds: paint >= 0.40, else three >= 0.40 -> perimeter,
-- else mid-range >= 0.35, else balanced). NULL reasons: no_shot_data_for_season (2024-25 has no shot file),
-- no_shot_data_for_date (the shot data ends before the previous game day, e.g. playoffs), no_prior_games,
-- too_few_games.
{{ config(**date_range_incremental_config(cluster_by=['player_lookup'])) }}
{%- set min_games = var('shot_min_games', 3) %}

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
        sum(paint_attempts) over last_10 as paint_attempts_last_10,
        sum(mid_range_attempts) over last_10 as mid_range_attempts_last_10,
        sum(three_attempts) over last_10 as three_attempts_last_10,
        sum(field_goal_attempts) over last_10 as field_goal_attempts_last_10
    from {{ ref('int_shot_zone_games') }}
    where
        player_lookup is not null
        -- windows are per player and season: the spine's seasons only
        and season in (select spine.season from spine)
    window last_10 as (
        partition by player_lookup, season order by game_date, game_id rows between 9 preceding and current row
    )

),

-- the latest game with shots strictly before each spine date (a spine row sorts before a game of its date)
events as (

    select
        player_lookup,
        season,
        game_date,
        0 as event_order,
        cast(null as {{ dbt.type_int() }}) as shot_game_seq,
        true as is_spine
    from spine
    union all
    select
        player_lookup,
        season,
        game_date,
        1 as event_order,
        shot_game_seq,
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
        is_spine
    from events

),

profile as (

    select
        spine.player_lookup,
        spine.game_date,
        spine.season,
        coalesce(latest_before.shot_games_before, 0) as shot_games_before,
        shot_games.paint_attempts_last_10,
        shot_games.mid_range_attempts_last_10,
        shot_games.three_attempts_last_10,
        shot_games.field_goal_attempts_last_10,
        coverage.is_covered,
        coverage.coverage_null_reason
    from spine
    inner join latest_before
        on
            latest_before.player_lookup = spine.player_lookup
            and latest_before.game_date = spine.game_date
            and latest_before.is_spine
    left join shot_games
        on
            shot_games.player_lookup = spine.player_lookup
            and shot_games.season = spine.season
            and shot_games.shot_game_seq = latest_before.shot_games_before
    left join coverage
        on
            coverage.season = spine.season
            and coverage.game_date = spine.game_date

),

rates as (

    select
        player_lookup,
        game_date,
        season,
        shot_games_before,
        least(shot_games_before, 10) as shot_games_in_window,
        field_goal_attempts_last_10,
        case
            when coalesce(is_covered, false) = false then coalesce(coverage_null_reason, 'no_shot_data_for_season')
            when shot_games_before = 0 then 'no_prior_games'
            when shot_games_before < {{ min_games }} then 'too_few_games'
        end as null_reason
    from profile

),

final as (

    select
        rates.player_lookup,
        rates.game_date,
        rates.season,
        rates.shot_games_in_window,
        rates.field_goal_attempts_last_10,
        case
            when rates.null_reason is null
                then 1.0 * profile.paint_attempts_last_10 / profile.field_goal_attempts_last_10
        end as pct_paint,
        case
            when rates.null_reason is null
                then 1.0 * profile.mid_range_attempts_last_10 / profile.field_goal_attempts_last_10
        end as pct_mid_range,
        case
            when rates.null_reason is null
                then 1.0 * profile.three_attempts_last_10 / profile.field_goal_attempts_last_10
        end as pct_three,
        rates.null_reason
    from rates
    inner join profile
        on
            profile.player_lookup = rates.player_lookup
            and profile.game_date = rates.game_date

),

profiles as (

    select
        player_lookup,
        game_date,
        season,
        shot_games_in_window,
        field_goal_attempts_last_10,
        pct_paint,
        null_reason as pct_paint_null_reason,
        pct_mid_range,
        null_reason as pct_mid_range_null_reason,
        pct_three,
        null_reason as pct_three_null_reason,
        case
            when null_reason is not null then null
            when pct_paint >= 0.40 then 'paint'
            when pct_three >= 0.40 then 'perimeter'
            when pct_mid_range >= 0.35 then 'mid_range'
            else 'balanced'
        end as primary_zone,
        case
            when null_reason is not null then null
            when pct_paint >= 0.40 then pct_paint
            when pct_three >= 0.40 then pct_three
            when pct_mid_range >= 0.35 then pct_mid_range
        end as primary_zone_rate
    from final

)

select {{ contract_columns() }}
from profiles
