{{ config(tags=['monitoring']) }}
-- Grain: game_date. Per date of standing predictions: how many were made from inputs that the store no
-- longer has (a value or a source changed since: served_vs_rebuilt_inputs), the share, the most frequent
-- reason, and the share over the 7 days up to the date, which `nba-props validate-daily` checks against var
-- served_inputs_changed_max_pct: a model trained on the rebuilt rows learns from rows it was never served.
-- A prediction made before the runner recorded inputs (no rows in runner.prediction_inputs) is counted as
-- inputs_not_recorded: neither changed nor unchanged, and outside the shares.

with inputs as (

    select * from {{ ref('served_vs_rebuilt_inputs') }}

),

standing_predictions as (

    select
        prediction_id,
        game_date
    from {{ source('runner', 'predictions') }}
    where is_active

),

per_prediction as (

    select
        game_date,
        prediction_id,
        max(case when is_changed then 1 else 0 end) as is_changed,
        sum(case when is_changed then 1 else 0 end) as changed_inputs
    from inputs
    group by game_date, prediction_id

),

daily as (

    select
        standing_predictions.game_date,
        count(*) as predictions,
        count(per_prediction.prediction_id) as compared_predictions,
        count(*) - count(per_prediction.prediction_id) as inputs_not_recorded,
        coalesce(sum(per_prediction.is_changed), 0) as changed_predictions,
        coalesce(sum(per_prediction.changed_inputs), 0) as changed_inputs
    from standing_predictions
    left join per_prediction
        on standing_predictions.prediction_id = per_prediction.prediction_id
    group by standing_predictions.game_date

),

reasons as (

    select
        game_date,
        change_reason,
        row_number() over (partition by game_date order by count(*) desc, change_reason) as reason_rank
    from inputs
    where is_changed
    group by game_date, change_reason

),

trailing_week as (

    select
        daily.game_date,
        sum(window_days.predictions) as predictions_last_7_days,
        sum(window_days.compared_predictions) as compared_predictions_last_7_days,
        sum(window_days.inputs_not_recorded) as inputs_not_recorded_last_7_days,
        sum(window_days.changed_predictions) as changed_predictions_last_7_days
    from daily
    inner join daily as window_days
        on
            window_days.game_date <= daily.game_date
            and window_days.game_date > {{ dbt.dateadd('day', -7, 'daily.game_date') }}
    group by daily.game_date

)

select
    daily.game_date,
    daily.predictions,
    daily.compared_predictions,
    daily.inputs_not_recorded,
    daily.changed_predictions,
    daily.changed_inputs,
    round(100.0 * daily.changed_predictions / nullif(daily.compared_predictions, 0), 2) as pct_changed,
    reasons.change_reason as top_change_reason,
    trailing_week.predictions_last_7_days,
    trailing_week.compared_predictions_last_7_days,
    trailing_week.inputs_not_recorded_last_7_days,
    trailing_week.changed_predictions_last_7_days,
    round(
        100.0 * trailing_week.changed_predictions_last_7_days
        / nullif(trailing_week.compared_predictions_last_7_days, 0),
        2
    ) as pct_changed_last_7_days,
    {{ var('served_inputs_changed_max_pct') }} as warn_threshold,
    case
        when trailing_week.compared_predictions_last_7_days = 0 then 'inputs_not_recorded'
        when
            100.0 * trailing_week.changed_predictions_last_7_days
            / trailing_week.compared_predictions_last_7_days > {{ var('served_inputs_changed_max_pct') }}
            then 'warn'
        else 'ok'
    end as status
from daily
inner join trailing_week
    on daily.game_date = trailing_week.game_date
left join reasons
    on
        daily.game_date = reasons.game_date
        and reasons.reason_rank = 1
