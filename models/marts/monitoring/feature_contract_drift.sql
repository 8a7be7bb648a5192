{{ config(tags=['monitoring']) }}
-- Grain: drift_start_date. Must be empty: each row is a run of consecutive feature-store dates holding rows
-- built under another contract (feature_version or contract_hash differs from seeds/feature_contract.csv),
-- i.e. a date range to backfill. Consecutive = adjacent among the dates the store has, so the All-Star
-- break does not split a range.
{#- The same expression the store writes: the feature_version var when set, else the contract's version. #}
{%- set expected_version = var('feature_version', none) or feature_contract_version() %}
{%- set expected_hash = feature_contract_hash() %}

with feature_rows as (

    select
        game_date,
        feature_version,
        contract_hash,
        coalesce(feature_version != '{{ expected_version }}', true)
        or coalesce(contract_hash != '{{ expected_hash }}', true) as is_drifted
    from {{ ref('ml_feature_store_v2') }}

),

dates as (

    select
        game_date,
        count(*) as total_rows,
        sum(case when is_drifted then 1 else 0 end) as drifted_rows,
        min(case when is_drifted then feature_version end) as min_drifted_version,
        max(case when is_drifted then feature_version end) as max_drifted_version,
        min(case when is_drifted then contract_hash end) as min_drifted_hash,
        max(case when is_drifted then contract_hash end) as max_drifted_hash
    from feature_rows
    group by game_date

),

-- Gaps-and-islands: among all store dates, drifted dates that are adjacent share
-- (position among all dates - position among drifted dates).
numbered as (

    select
        *,
        row_number() over (order by game_date) as date_position
    from dates

),

drifted as (

    select
        *,
        date_position - row_number() over (order by game_date) as island
    from numbered
    where drifted_rows > 0

),

ranges as (

    select
        min(game_date) as drift_start_date,
        max(game_date) as drift_end_date,
        count(*) as game_dates,
        sum(drifted_rows) as drifted_rows,
        sum(total_rows) as total_rows,
        min(min_drifted_version) as min_drifted_version,
        max(max_drifted_version) as max_drifted_version,
        min(min_drifted_hash) as min_drifted_hash,
        max(max_drifted_hash) as max_drifted_hash
    from drifted
    group by island

)

select
    drift_start_date,
    drift_end_date,
    game_dates,
    drifted_rows,
    total_rows,
    min_drifted_version,
    max_drifted_version,
    min_drifted_hash,
    max_drifted_hash,
    '{{ expected_version }}' as expected_feature_version,
    '{{ expected_hash }}' as expected_contract_hash,
    concat(
        'nba-props backfill --start-date ', cast(drift_start_date as {{ dbt.type_string() }}),
        ' --end-date ', cast(drift_end_date as {{ dbt.type_string() }})
    ) as backfill_command
from ranges
