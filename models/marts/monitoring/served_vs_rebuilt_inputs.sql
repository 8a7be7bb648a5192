{{ config(
    tags=['monitoring'],
    pre_hook=["{{ create_runner_predictions() }}", "{{ create_runner_prediction_inputs() }}"]
) }}
-- Grain: prediction_id, feature_name. Every input of every standing (active) prediction as it was served
-- (runner.prediction_inputs, written with the prediction) beside the store's row for the same player and date
-- as it stands now, after later builds and backfills: did the value or the source change, and why, where
-- the warehouse knows it. The reasons, first match wins:
--   store_row_missing                     the store has no row for the player and date any more
--   contract_change                       the row was rebuilt under another feature_version or contract_hash
--   line_snapshot_after_as_of             (line features) the store's line was taken after the prediction's
--                                         as_of: rebuilt later, or without as_of
--   line_snapshot_loaded_after_prediction (line features) a line file was loaded after the prediction
--   injury_report_after_as_of             (injury_risk) a report of the date was taken after the as_of
--   injury_report_loaded_after_prediction (injury_risk) an injury file was loaded after the prediction
--   late_box_score                        a box score of the player's team or opponent, of a game before the
--                                         date, was loaded after the prediction (late, or corrected)
--   unexplained                           none of these: a change of the models' code, or a bug
-- Not bounded by start_date/end_date: every standing prediction is compared.
{%- set features = feature_contract() %}

with

active_predictions as (

    select
        prediction_id,
        player_lookup,
        game_date,
        team_abbr,
        opponent_team_abbr,
        contract_version,
        contract_hash,
        as_of,
        predicted_at
    from {{ source('runner', 'predictions') }}
    where is_active

),

served as (

    select
        prediction_id,
        feature_index,
        feature_name,
        feature_value,
        feature_source,
        default_reason
    from {{ source('runner', 'prediction_inputs') }}

),

contract_features as (

    {%- for feature in features %}
    select
        {{ feature.index }} as feature_index,
        '{{ feature.name }}' as feature_name,
        '{{ feature.group }}' as feature_group
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

store_rows as (

    select store.*
    from {{ ref('ml_feature_store_v2') }} as store
    inner join (
        select distinct
            player_lookup,
            game_date
        from active_predictions
    ) as predicted
        on
            store.player_lookup = predicted.player_lookup
            and store.game_date = predicted.game_date

),

current_inputs as (

    -- the store rows unpivoted: one row per row and contract feature
    select
        store_rows.player_lookup,
        store_rows.game_date,
        store_rows.feature_version,
        store_rows.contract_hash,
        store_rows.vegas_line_snapshot_at,
        contract_features.feature_index,
        case contract_features.feature_index
            {%- for feature in features %}
            when {{ feature.index }} then store_rows.{{ feature.name }}
            {%- endfor %}
        end as current_value,
        case contract_features.feature_index
            {%- for feature in features %}
            when {{ feature.index }} then store_rows.{{ feature.name }}_source
            {%- endfor %}
        end as current_source,
        case contract_features.feature_index
            {%- for feature in features %}
            when {{ feature.index }} then store_rows.{{ feature.name }}_default_reason
            {%- endfor %}
        end as current_default_reason
    from store_rows
    cross join contract_features

),

box_score_loads as (

    -- the latest load of each team's box score of each date (regular-season logs, playoff boxes, team logs)
    {%- set box_scores = [
        ('player_game_logs', 'team_abbreviation'),
        ('playoff_player_boxes', 'team_abbreviation'),
        ('team_game_logs', 'team_abbreviation_home'),
        ('team_game_logs', 'team_abbreviation_road'),
    ] %}
    {%- for table, team_column in box_scores %}
    select
        {{ team_abbr('raw_team') }} as team_abbr,
        cast(raw_game_date as date) as game_date,
        loaded_at
    from (
        select
            {{ team_column }} as raw_team,
            game_date as raw_game_date,
            max(_loaded_at) as loaded_at
        from {{ source('nba_stats', table) }}
        group by {{ team_column }}, game_date
    ) as {{ table }}_{{ loop.index }}
    {{ "union all" if not loop.last }}
    {%- endfor %}

),

late_box_scores as (

    select distinct active_predictions.prediction_id
    from active_predictions
    inner join box_score_loads
        on
            box_score_loads.team_abbr in (active_predictions.team_abbr, active_predictions.opponent_team_abbr)
            and box_score_loads.game_date < active_predictions.game_date
            and box_score_loads.loaded_at > active_predictions.predicted_at

),

snapshot_file_loads as (

    -- line and injury files loaded after each prediction
    select
        active_predictions.prediction_id,
        max(case when loads.raw_table = 'injury_status_snapshots' then 1 else 0 end) = 1 as injury_file_after,
        max(case when loads.raw_table != 'injury_status_snapshots' then 1 else 0 end) = 1 as line_file_after
    from active_predictions
    inner join {{ source('loads', 'load_log') }} as loads
        on loads.loaded_at > active_predictions.predicted_at
    where
        loads.raw_table in (
            'injury_status_snapshots', 'rotowire_prop_snapshots', 'oddsapi_player_props', 'multibook_props'
        )
    group by active_predictions.prediction_id

),

injury_reports as (

    -- the last injury report taken on each date (US Eastern)
    select
        snapshot_date_et as game_date,
        max(snapshot_at) as last_report_at
    from {{ ref('stg_injuries__status_snapshots') }}
    group by snapshot_date_et

),

compared as (

    select
        served.prediction_id,
        active_predictions.player_lookup,
        active_predictions.game_date,
        served.feature_index,
        served.feature_name,
        contract_features.feature_group,
        served.feature_value as served_value,
        served.feature_source as served_source,
        served.default_reason as served_default_reason,
        current_inputs.current_value,
        current_inputs.current_source,
        current_inputs.current_default_reason,
        current_inputs.player_lookup is null as store_row_missing,
        current_inputs.feature_version != active_predictions.contract_version
        or current_inputs.contract_hash != active_predictions.contract_hash as contract_changed,
        current_inputs.vegas_line_snapshot_at > active_predictions.as_of as line_after_as_of,
        coalesce(snapshot_file_loads.line_file_after, false) as line_file_after,
        coalesce(snapshot_file_loads.injury_file_after, false) as injury_file_after,
        coalesce(injury_reports.last_report_at > active_predictions.as_of, false) as injury_report_after_as_of,
        late_box_scores.prediction_id is not null as box_score_after,
        case
            when current_inputs.player_lookup is null then true
            when served.feature_value is null and current_inputs.current_value is null then false
            when served.feature_value is null or current_inputs.current_value is null then true
            else
                abs(served.feature_value - current_inputs.current_value)
                > 0.000001 * greatest(1.0, abs(served.feature_value))
        end as value_changed,
        coalesce(served.feature_source != current_inputs.current_source, true) as source_changed
    from served
    inner join active_predictions
        on served.prediction_id = active_predictions.prediction_id
    inner join contract_features
        on served.feature_index = contract_features.feature_index
    left join current_inputs
        on
            active_predictions.player_lookup = current_inputs.player_lookup
            and active_predictions.game_date = current_inputs.game_date
            and served.feature_index = current_inputs.feature_index
    left join snapshot_file_loads
        on served.prediction_id = snapshot_file_loads.prediction_id
    left join late_box_scores
        on served.prediction_id = late_box_scores.prediction_id
    left join injury_reports
        on active_predictions.game_date = injury_reports.game_date

)

select
    prediction_id,
    player_lookup,
    game_date,
    feature_index,
    feature_name,
    feature_group,
    served_value,
    served_source,
    served_default_reason,
    current_value,
    current_source,
    current_default_reason,
    value_changed,
    source_changed,
    value_changed or source_changed as is_changed,
    case
        when not (value_changed or source_changed) then null
        when store_row_missing then 'store_row_missing'
        when contract_changed then 'contract_change'
        when feature_group = 'vegas_lines' and line_after_as_of then 'line_snapshot_after_as_of'
        when feature_group = 'vegas_lines' and line_file_after then 'line_snapshot_loaded_after_prediction'
        when feature_name = 'injury_risk' and injury_report_after_as_of then 'injury_report_after_as_of'
        when feature_name = 'injury_risk' and injury_file_after then 'injury_report_loaded_after_prediction'
        when box_score_after then 'late_box_score'
        else 'unexplained'
    end as change_reason
from compared
