{{ config(pre_hook="{{ create_runner_predictions() }}") }}

-- Grain: one row per active prediction, i.e. per (player_lookup, game_id, model_name).
-- Grades the runner's standing prediction against the box score: PASS and NO_LINE are not graded, a push
-- (actual = line) is not graded, a player who did not play voids the prediction, and a game without a box
-- score yet is pending.

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
        player_games.minutes as actual_minutes
    from active_predictions
    left join player_games
        on
            active_predictions.player_lookup = player_games.player_lookup
            and active_predictions.game_id = player_games.game_id

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
        end as grade_status
    from joined

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
    recommendation,
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
    case when has_box_score and not is_dnp then predicted_points - actual_points end as signed_error,
    case when has_box_score and not is_dnp then abs(predicted_points - actual_points) end as absolute_error,
    case
        when has_box_score and not is_dnp and line_points is not null then abs(line_points - actual_points)
    end as line_absolute_error,
    case when has_box_score and not is_dnp then abs(predicted_points - actual_points) <= 3 end as is_within_3,
    case when has_box_score and not is_dnp then abs(predicted_points - actual_points) <= 5 end as is_within_5
from graded
