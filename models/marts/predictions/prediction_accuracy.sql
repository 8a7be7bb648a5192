{{ config(pre_hook="{{ create_runner_predictions() }}") }}

-- Grain: one row per active prediction, i.e. per (player_lookup, game_id, model_name).
-- Grades the runner's standing prediction against the box score: PASS and NO_LINE are not graded, a push
-- (actual = line) is not graded, a player who did not play voids the prediction, and a game without a box
-- score yet is pending. Bets are settled at the price recorded with the prediction, and compared with the
-- closing quote of the same book in the same feed (prediction_closing_lines): closing-line value.

with

active_predictions as (

    select * from {{ source('runner', 'predictions') }}
    where is_active

),

player_games as (

    select
        player_lookup,
        game_id,
        points,
        minutes,
        is_dnp,
        dnp_reason
    from {{ ref('int_player_games') }}

),

joined as (

    select
        active_predictions.*,
        player_games.game_id is not null as has_box_score,
        coalesce(player_games.is_dnp, false) as is_dnp,
        player_games.dnp_reason,
        cast(player_games.points as {{ runner_column_type('double') }}) as actual_points,
        player_games.minutes as actual_minutes,
        closes.close_line,
        closes.close_over_price,
        closes.close_under_price,
        closes.close_snapshot_at,
        closes.close_minutes_before_tipoff,
        -- the side whose value is measured: the bet, or the side with the better expected value when it passed
        case
            when active_predictions.recommendation in ('OVER', 'UNDER') then active_predictions.recommendation
            when active_predictions.ev_over >= active_predictions.ev_under then 'OVER'
            when active_predictions.ev_under > active_predictions.ev_over then 'UNDER'
        end as clv_side
    from active_predictions
    left join player_games
        on
            active_predictions.player_lookup = player_games.player_lookup
            and active_predictions.game_id = player_games.game_id
    left join {{ ref('prediction_closing_lines') }} as closes
        on
            active_predictions.player_lookup = closes.player_lookup
            and active_predictions.game_id = closes.game_id
            and active_predictions.line_source = closes.line_source
            and active_predictions.line_book = closes.book

),

graded as (

    select
        *,
        case
            when not has_box_score then 'pending'
            when is_dnp then 'void_dnp'
            when recommendation = 'NO_LINE' or line_points is null then 'ungraded_no_line'
            when recommendation = 'PASS' then 'ungraded_pass'
            when actual_points = line_points then 'push'
            else 'graded'
        end as grade_status,
        case when clv_side = 'UNDER' then -1 when clv_side = 'OVER' then 1 end as clv_sign,
        case
            when recommendation = 'OVER' then {{ american_to_decimal('over_price') }}
            when recommendation = 'UNDER' then {{ american_to_decimal('under_price') }}
        end as bet_decimal_odds
    from joined

),

valued as (

    select
        *,
        case
            when clv_side = 'OVER' then close_line - line_points
            when clv_side = 'UNDER' then line_points - close_line
        end as clv_points,
        -- probability CLV only where the close kept the line: a moved line is measured in points
        case
            when close_line = line_points
                then clv_sign * (
                    {{ no_vig_over_probability('close_over_price', 'close_under_price') }}
                    - {{ no_vig_over_probability('over_price', 'under_price') }}
                )
        end as clv_prob
    from graded

)

select
    concat(player_lookup, '|', game_id, '|', model_name) as player_game_model_key,
    prediction_id,
    model_name,
    contract_version,
    player_lookup,
    player_name,
    game_id,
    game_date,
    team_abbr,
    opponent_team_abbr,
    mode,
    as_of,
    predicted_at,
    predicted_points,
    line_points,
    line_book,
    line_source,
    line_snapshot_at,
    line_minutes_before_tipoff,
    edge,
    abs(edge) as abs_edge,
    edge_recommendation,
    recommendation,
    prediction_basis,
    points_model_points,
    over_price,
    under_price,
    market_p_over,
    p_over,
    ev_over,
    ev_under,
    expected_value,
    min_ev,
    books_quoting,
    consensus_line,
    best_over_price,
    best_over_book,
    best_under_price,
    best_under_book,
    feature_quality_score,
    supersedes,
    has_box_score,
    is_dnp,
    dnp_reason,
    actual_points,
    grade_status,
    case
        when grade_status = 'graded' then (actual_points > line_points) = (recommendation = 'OVER')
    end as prediction_correct,
    -- units won per unit staked at the recorded price (a loss is -1)
    case
        when grade_status = 'graded' and (actual_points > line_points) = (recommendation = 'OVER')
            then bet_decimal_odds - 1
        when grade_status = 'graded' then -1
    end as profit_units,
    bet_decimal_odds,
    -- the edge rule's call (a comparison), graded the same way
    case
        when
            has_box_score and not is_dnp and edge_recommendation in ('OVER', 'UNDER')
            and actual_points != line_points
            then (actual_points > line_points) = (edge_recommendation = 'OVER')
    end as edge_prediction_correct,
    case
        when has_box_score and not is_dnp and line_points is not null and actual_points != line_points
            then actual_points > line_points
    end as went_over,
    case
        when has_box_score and not is_dnp and p_over is not null and actual_points != line_points
            then power(p_over - case when actual_points > line_points then 1 else 0 end, 2)
    end as p_over_squared_error,
    case
        when has_box_score and not is_dnp and market_p_over is not null and actual_points != line_points
            then power(market_p_over - case when actual_points > line_points then 1 else 0 end, 2)
    end as market_p_over_squared_error,
    close_line,
    close_over_price,
    close_under_price,
    close_snapshot_at,
    close_minutes_before_tipoff,
    clv_side,
    clv_points,
    clv_prob,
    case
        when close_line is null or clv_side is null then null
        when clv_points > 0 or (clv_points = 0 and clv_prob > 0) then 'beat'
        when clv_points < 0 or (clv_points = 0 and clv_prob < 0) then 'lost'
        else 'same'
    end as beat_close,
    case when has_box_score and not is_dnp then predicted_points - actual_points end as signed_error,
    case when has_box_score and not is_dnp then abs(predicted_points - actual_points) end as absolute_error,
    case
        when has_box_score and not is_dnp and line_points is not null then abs(line_points - actual_points)
    end as line_absolute_error,
    case when has_box_score and not is_dnp then abs(predicted_points - actual_points) <= 3 end as is_within_3,
    case when has_box_score and not is_dnp then abs(predicted_points - actual_points) <= 5 end as is_within_5
from valued
